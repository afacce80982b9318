#pragma once
/// A tree of the options' profiles: one top-level row per option, one child per quantity with its
/// value and unit, provenance (datasheet / measured / override) and source. Null is shown as
/// "unknown", never 0.
#include <QAbstractItemModel>

#include <vector>

#include "workspace.hpp"

namespace headroom::gui {

class ProfileTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  explicit ProfileTreeModel(QObject* parent = nullptr);
  void setOptions(const std::vector<GpuOption>& options);

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Item {
    QString name;
    QString value;
    QString provenance;
    QString source;
  };
  struct Node {
    QString label;
    QString kind;
    std::vector<Item> items;
  };
  std::vector<Node> nodes_;
};

}  // namespace headroom::gui
