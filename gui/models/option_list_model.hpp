#pragma once
/// The GPU options of the workspace as a checkable list (Qt::CheckStateRole = compared or not).
/// Tooltips give capacity, bandwidth and peak with their units and where they come from.
#include <QAbstractListModel>

#include <vector>

#include "workspace.hpp"

namespace headroom::gui {

class OptionListModel : public QAbstractListModel {
  Q_OBJECT

 public:
  explicit OptionListModel(QObject* parent = nullptr);

  void setOptions(std::vector<GpuOption> options);
  const std::vector<GpuOption>& options() const { return options_; }
  /// Appends an option; a label already used gets " (2)", " (3)" ... appended.
  void addOption(GpuOption option);
  void removeOption(int row);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

 private:
  std::vector<GpuOption> options_;
};

}  // namespace headroom::gui
