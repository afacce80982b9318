#include "comparison_table_model.hpp"

#include <QBrush>
#include <QColor>

#include "format.hpp"
#include "option_details.hpp"

namespace headroom::gui {

namespace {
enum Column { kOption, kFits, kMemory, kCapacity, kParallelism, kThroughput, kTime, kHours, kMfu, kCheckpoints, kColumnCount };
}  // namespace

ComparisonTableModel::ComparisonTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ComparisonTableModel::setComparison(std::shared_ptr<const Comparison> comparison) {
  beginResetModel();
  comparison_ = std::move(comparison);
  endResetModel();
}

int ComparisonTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !comparison_ ? 0 : static_cast<int>(comparison_->options.size());
}

int ComparisonTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant ComparisonTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= kColumnCount) return {};
  const bool infer = comparison_ && comparison_->phase == plan::Phase::kInfer;
  switch (section) {
    case kOption: return QStringLiteral("Option");
    case kFits: return QStringLiteral("Fits");
    case kMemory: return QStringLiteral("Memory / GPU");
    case kCapacity: return QStringLiteral("Capacity");
    case kParallelism: return infer ? QStringLiteral("Layout") : QStringLiteral("Best parallelism");
    case kThroughput: return QStringLiteral("Tokens/s per GPU");
    case kTime: return infer ? QStringLiteral("TTFT (load)") : QStringLiteral("Time to train");
    case kHours: return infer ? QStringLiteral("TPOT") : QStringLiteral("GPU-hours");
    case kMfu: return infer ? QStringLiteral("Max requests") : QStringLiteral("MFU");
    case kCheckpoints: return infer ? QStringLiteral("Cold start") : QStringLiteral("Checkpoints");
    default: return {};
  }
}

QVariant ComparisonTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const OptionResult& o = comparison_->options[static_cast<std::size_t>(index.row())];
  const bool infer = comparison_->phase == plan::Phase::kInfer;
  const int col = index.column();
  if (role == Qt::ForegroundRole && col == kFits && o.error.empty()) {
    return QBrush(o.fits ? QColor(0x1b, 0x7f, 0x3a) : QColor(0xb0, 0x1c, 0x1c));
  }
  if (role == Qt::ToolTipRole) {
    if (!o.error.empty()) return QString::fromStdString(o.error);
    if (col == kFits && !o.note.empty()) return QString::fromStdString(o.note);
    if (col == kParallelism && o.evaluated > 0) {
      return QStringLiteral("%1 configurations evaluated, %2 fit").arg(o.evaluated).arg(o.fitting);
    }
    if (col == kCheckpoints) {
      if (infer) return cold_start_text(o);
      const QStringList lines = checkpoint_lines(o);
      return lines.isEmpty() ? QStringLiteral("Checkpoints and failures are not modelled (workload form)")
                             : lines.join(QLatin1Char('\n'));
    }
    if (col == kMemory) {
      return QStringLiteral("weights %1, gradients %2, optimizer %3, activations %4, KV cache %5, overhead %6")
          .arg(gib(o.memory.weights_bytes), gib(o.memory.gradients_bytes), gib(o.memory.optimizer_bytes),
               gib(o.memory.activations_bytes), gib(o.memory.kv_cache_bytes), gib(o.memory.overhead_bytes));
    }
    return data(index, Qt::DisplayRole);
  }
  if (role == Qt::UserRole) {
    switch (col) {
      case kFits: return o.fits;
      case kMemory: return o.memory.total_bytes();
      case kCapacity: return o.memory.capacity_bytes;
      case kThroughput: return o.tokens_per_s_per_gpu;
      case kTime: return infer ? o.ttft_under_load_s : o.time_to_train_s;
      case kHours: return infer ? o.tpot_s : o.gpu_hours;
      case kMfu: return infer ? o.max_concurrent_requests : o.mfu;
      // Serving: seconds (0: unknown); training: the share of wall time checkpoints and failures take.
      case kCheckpoints:
        return infer ? o.cold_start_s
               : o.run.time_s > 0 ? (o.run.checkpoint_s + o.run.failure_s) / o.run.time_s
                                  : 0.0;
      default: return data(index, Qt::DisplayRole);
    }
  }
  if (role != Qt::DisplayRole) return {};
  if (col == kOption) return QString::fromStdString(o.label);
  if (!o.error.empty()) return col == kFits ? QStringLiteral("error") : QVariant();
  switch (col) {
    case kFits:
      if (o.fits) return QStringLiteral("yes");
      // Fits the GPUs, not the nodes' RAM (offloaded optimizer): say which memory is short.
      return !o.host_fits && o.memory.total_bytes() <= o.memory.capacity_bytes ? QStringLiteral("no (host RAM)")
                                                                               : QStringLiteral("no");
    case kMemory: return gib(o.memory.total_bytes());
    case kCapacity: return gib(o.memory.capacity_bytes);
    case kParallelism: return QString::fromStdString(o.parallelism);
    case kThroughput: return QString::number(o.tokens_per_s_per_gpu, 'f', 0);
    case kTime: return duration(infer ? o.ttft_under_load_s : o.time_to_train_s);
    case kHours: return infer ? duration(o.tpot_s) : count(o.gpu_hours);
    case kMfu: return infer ? QString::number(o.max_concurrent_requests, 'f', 0) : QStringLiteral("%1 %").arg(100.0 * o.mfu, 0, 'f', 1);
    case kCheckpoints:
      if (!infer) return checkpoint_summary(o);
      return o.cold_start_s > 0 ? duration(o.cold_start_s) : QStringLiteral("unknown");
    default: return {};
  }
}

}  // namespace headroom::gui
