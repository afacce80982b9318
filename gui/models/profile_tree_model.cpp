#include "profile_tree_model.hpp"

#include "format.hpp"

namespace headroom::gui {

namespace {
// Child indexes carry their parent's row + 1 as internal id; top-level rows carry 0.
constexpr quintptr kTopLevel = 0;

enum Unit { kBytes, kBytesPerS, kFlopPerS, kWatts, kPlain };

QString format_value(const plan::Quantity& q, Unit unit) {
  if (!q.known()) return QStringLiteral("unknown");
  switch (unit) {
    case kBytes: return gib(*q.value);
    case kBytesPerS: return rate(*q.value, "B/s");
    case kFlopPerS: return rate(*q.value, "FLOP/s");
    case kWatts: return QStringLiteral("%1 W").arg(*q.value, 0, 'f', 0);
    case kPlain: return QString::number(*q.value);
  }
  return {};
}
}  // namespace

ProfileTreeModel::ProfileTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void ProfileTreeModel::setOptions(const std::vector<GpuOption>& options) {
  beginResetModel();
  nodes_.clear();
  for (const GpuOption& o : options) {
    Node n{QString::fromStdString(o.label), QString::fromStdString(to_string(o.kind)), {}};
    const auto add = [&n](const QString& name, const plan::Quantity& q, Unit unit) {
      n.items.push_back({name, format_value(q, unit), QString::fromStdString(plan::to_string(q.provenance)),
                         QString::fromStdString(q.source + (q.as_of.empty() ? "" : " (as of " + q.as_of + ")"))});
    };
    const plan::HardwareProfile& p = o.profile;
    add(QStringLiteral("memory"), p.memory_bytes, kBytes);
    add(QStringLiteral("memory bandwidth"), p.memory_bandwidth_bytes_per_s, kBytesPerS);
    for (int i = 0; i < plan::kPrecisionCount; ++i) {
      const auto prec = static_cast<plan::Precision>(i);
      if (p.peak(prec).known()) add(QString::fromStdString(plan::to_string(prec) + " dense peak"), p.peak(prec), kFlopPerS);
    }
    add(QStringLiteral("NVLink (bidirectional)"), p.nvlink_bytes_per_s, kBytesPerS);
    if (p.nvlink_domain_gpus.known()) add(QStringLiteral("GPUs per NVLink domain"), p.nvlink_domain_gpus, kPlain);
    add(QStringLiteral("PCIe (per direction)"), p.pcie_bytes_per_s, kBytesPerS);
    add(QStringLiteral("network per GPU"), p.inter_node_bytes_per_s, kBytesPerS);
    add(QStringLiteral("GPUs per node"), p.gpus_per_node, kPlain);
    add(QStringLiteral("TDP"), p.tdp_w, kWatts);
    // Figures only a measured profile has (datasheets leave them null): shown when known, as the
    // checkpoint, offload and cold-start estimates use them.
    const auto add_known = [&add](const QString& name, const plan::Quantity& q, Unit unit) {
      if (q.known()) add(name, q, unit);
    };
    add_known(QStringLiteral("PCIe host→device, all GPUs at once (node)"), p.pcie_node_h2d_bytes_per_s, kBytesPerS);
    add_known(QStringLiteral("PCIe device→host, all GPUs at once (node)"), p.pcie_node_d2h_bytes_per_s, kBytesPerS);
    add_known(QStringLiteral("host memory"), p.host_memory_bytes, kBytes);
    add_known(QStringLiteral("host memory bandwidth"), p.host_memory_bandwidth_bytes_per_s, kBytesPerS);
    add_known(QStringLiteral("storage read (node)"), p.storage_read_bytes_per_s, kBytesPerS);
    add_known(QStringLiteral("storage write (node)"), p.storage_write_bytes_per_s, kBytesPerS);
    add_known(QStringLiteral("checkpoint write (node)"), p.checkpoint_write_bytes_per_s, kBytesPerS);
    nodes_.push_back(std::move(n));
  }
  endResetModel();
}

QModelIndex ProfileTreeModel::index(int row, int column, const QModelIndex& parent) const {
  if (!hasIndex(row, column, parent)) return {};
  if (!parent.isValid()) return createIndex(row, column, kTopLevel);
  return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex ProfileTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == kTopLevel) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int ProfileTreeModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(nodes_.size());
  if (parent.internalId() != kTopLevel || parent.column() != 0) return 0;
  return static_cast<int>(nodes_[static_cast<std::size_t>(parent.row())].items.size());
}

int ProfileTreeModel::columnCount(const QModelIndex&) const { return 4; }

QVariant ProfileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"Quantity", "Value", "Provenance", "Source"};
  return section >= 0 && section < 4 ? QString::fromLatin1(names[section]) : QVariant();
}

QVariant ProfileTreeModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
  if (index.internalId() == kTopLevel) {
    const Node& n = nodes_[static_cast<std::size_t>(index.row())];
    if (index.column() == 0) return n.label;
    if (index.column() == 2) return n.kind;
    return {};
  }
  const Item& it = nodes_[static_cast<std::size_t>(index.internalId() - 1)].items[static_cast<std::size_t>(index.row())];
  switch (index.column()) {
    case 0: return it.name;
    case 1: return it.value;
    case 2: return it.provenance;
    case 3: return it.source;
    default: return {};
  }
}

}  // namespace headroom::gui
