#pragma once
/// The cases of one or two results files (A = before, B = after) as a flat table: set, case,
/// parameters, status, headline metric with its unit. Qt::UserRole gives the raw metric value.
#include <QAbstractTableModel>

#include <memory>

#include "headroom/core/results.hpp"

namespace headroom::gui {

class CasesTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit CasesTableModel(QObject* parent = nullptr);
  /// Either may be null (that set is not shown).
  void setResults(std::shared_ptr<const core::Results> a, std::shared_ptr<const core::Results> b);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    char set;
    const core::CaseResult* c;
  };
  std::shared_ptr<const core::Results> a_;
  std::shared_ptr<const core::Results> b_;
  std::vector<Row> rows_;
};

}  // namespace headroom::gui
