#include "cases_table_model.hpp"

#include "headroom/core/units.hpp"

namespace headroom::gui {

namespace {
enum Column { kSet, kCase, kParams, kStatus, kValue, kColumnCount };
}  // namespace

CasesTableModel::CasesTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CasesTableModel::setResults(std::shared_ptr<const core::Results> a, std::shared_ptr<const core::Results> b) {
  beginResetModel();
  a_ = std::move(a);
  b_ = std::move(b);
  rows_.clear();
  if (a_) for (const auto& c : a_->cases) rows_.push_back({'A', &c});
  if (b_) for (const auto& c : b_->cases) rows_.push_back({'B', &c});
  endResetModel();
}

int CasesTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
int CasesTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant CasesTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kSet: return QStringLiteral("Set");
    case kCase: return QStringLiteral("Case");
    case kParams: return QStringLiteral("Parameters");
    case kStatus: return QStringLiteral("Status");
    case kValue: return QStringLiteral("Headline metric");
    default: return {};
  }
}

QVariant CasesTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  const core::CaseResult& c = *row.c;
  const core::Metric* m = c.metrics.empty() ? nullptr : &c.metrics.front();
  if (role == Qt::UserRole && index.column() == kValue) return m && m->value ? QVariant(*m->value) : QVariant();
  if (role == Qt::ToolTipRole) {
    if (index.column() == kStatus && !c.message.empty()) return QString::fromStdString(c.message);
    if (index.column() == kValue && m) {
      return QStringLiteral("%1 (%2): %3").arg(QString::fromStdString(m->name), QString::fromStdString(m->unit),
                                               QString::fromStdString(m->note));
    }
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kSet: return QString(QChar(row.set));
    case kCase: return QString::fromStdString(c.name);
    case kParams: return QString::fromStdString(core::params_key(c.params));
    case kStatus: return QString::fromStdString(core::to_string(c.status));
    case kValue:
      if (!m || !m->value) return QStringLiteral("–");
      return QString::fromStdString(m->unit == "s" ? core::format_seconds(*m->value) : core::format_rate(*m->value, m->unit));
    default: return {};
  }
}

}  // namespace headroom::gui
