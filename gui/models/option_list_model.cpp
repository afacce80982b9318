#include "option_list_model.hpp"

#include "format.hpp"

namespace headroom::gui {

OptionListModel::OptionListModel(QObject* parent) : QAbstractListModel(parent) {}

void OptionListModel::setOptions(std::vector<GpuOption> options) {
  beginResetModel();
  options_ = std::move(options);
  endResetModel();
}

void OptionListModel::addOption(GpuOption option) {
  const std::string base = option.label;
  for (int n = 2;; ++n) {
    bool used = false;
    for (const GpuOption& o : options_) used = used || o.label == option.label;
    if (!used) break;
    option.label = base + " (" + std::to_string(n) + ")";
  }
  const int row = static_cast<int>(options_.size());
  beginInsertRows({}, row, row);
  options_.push_back(std::move(option));
  endInsertRows();
}

void OptionListModel::removeOption(int row) {
  if (row < 0 || row >= rowCount()) return;
  beginRemoveRows({}, row, row);
  options_.erase(options_.begin() + row);
  endRemoveRows();
}

int OptionListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(options_.size());
}

QVariant OptionListModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const GpuOption& o = options_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
      return QString::fromStdString(o.label);
    case Qt::CheckStateRole:
      return o.enabled ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole: {
      const auto& p = o.profile;
      QString tip = QStringLiteral("<b>%1</b> (%2)").arg(QString::fromStdString(p.name), QString::fromStdString(to_string(o.kind)));
      if (p.memory_bytes.known()) tip += QStringLiteral("<br>memory: %1").arg(gib(*p.memory_bytes.value));
      if (p.memory_bandwidth_bytes_per_s.known()) {
        tip += QStringLiteral("<br>memory bandwidth: %1").arg(rate(*p.memory_bandwidth_bytes_per_s.value, "B/s"));
      }
      if (p.peak(plan::Precision::kBf16).known()) {
        tip += QStringLiteral("<br>bf16 dense peak: %1").arg(rate(*p.peak(plan::Precision::kBf16).value, "FLOP/s"));
      }
      if (!o.file.empty()) tip += QStringLiteral("<br>from %1").arg(QString::fromStdString(o.file).toHtmlEscaped());
      return tip;
    }
    default:
      return {};
  }
}

bool OptionListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || role != Qt::CheckStateRole) {
    return false;
  }
  options_[static_cast<std::size_t>(index.row())].enabled = value.toInt() == Qt::Checked;
  emit dataChanged(index, index, {Qt::CheckStateRole});
  return true;
}

Qt::ItemFlags OptionListModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren;
}

}  // namespace headroom::gui
