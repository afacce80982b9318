#pragma once
/// One row per computed GPU option: fit, memory, best parallelism, throughput, time and GPU-hours
/// (training) or TTFT / TPOT / concurrency (inference), and the checkpoint + failure share of the wall
/// time (training) or the cold start (inference). Qt::UserRole gives the raw SI number.
#include <QAbstractTableModel>

#include <memory>

#include "compute.hpp"

namespace headroom::gui {

class ComparisonTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit ComparisonTableModel(QObject* parent = nullptr);
  void setComparison(std::shared_ptr<const Comparison> comparison);
  const Comparison* comparison() const { return comparison_.get(); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::shared_ptr<const Comparison> comparison_;
};

}  // namespace headroom::gui
