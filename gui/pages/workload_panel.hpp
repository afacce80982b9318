#pragma once
/// The workload form: model (catalog or custom architecture), phase, precision, GPUs, search or a
/// fixed layout, batch / sequence / tokens, checkpoints and failures, inference settings. Invalid entries are marked inline
/// with the reason the planner gives.
#include <QWidget>

#include <map>

#include "../models/workspace.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QGroupBox;
class QFormLayout;

namespace headroom::gui {

class WorkloadPanel : public QWidget {
  Q_OBJECT

 public:
  WorkloadPanel(const plan::Catalog& catalog, QWidget* parent = nullptr);

  void setForm(const WorkloadForm& form);
  WorkloadForm form() const;
  /// Marks the field that `json_path` names ("$.parallelism.tp") with `reason`; an unknown path
  /// marks the form as a whole. An empty path clears every mark.
  void showError(const QString& json_path, const QString& reason);
  /// The reason shown under the field of `json_path` ("" when none; for tests).
  QString errorText(const QString& json_path) const;

  // Fields (for keyboard focus and tests).
  QComboBox* modelBox() const { return model_; }
  QSpinBox* tpBox() const { return tp_; }
  QSpinBox* layersBox() const { return layers_; }  ///< the custom architecture's depth
  QSpinBox* seqLenBox() const { return seq_len_; }
  QSpinBox* gpusBox() const { return gpus_; }
  QCheckBox* searchBox() const { return search_; }
  QComboBox* offloadBox() const { return offload_; }
  QSpinBox* hostMemoryBox() const { return host_memory_gib_; }  ///< GiB per node, 0: the profile's
  QComboBox* rankOrderBox() const { return rank_order_; }
  // The "Checkpoints & failures" group (training; checkable, off by default).
  QGroupBox* checkpointGroup() const { return checkpoint_group_; }
  QDoubleSpinBox* checkpointEveryBox() const { return ckpt_every_min_; }  ///< minutes, 0: Young's optimum
  QComboBox* checkpointModeBox() const { return ckpt_mode_; }
  QDoubleSpinBox* checkpointWriteBox() const { return ckpt_write_gbps_; }  ///< GB/s per node, 0: the profile's
  QDoubleSpinBox* checkpointReadBox() const { return ckpt_read_gbps_; }    ///< GB/s per node, 0: the profile's
  QDoubleSpinBox* mtbfBox() const { return mtbf_h_; }                      ///< hours, 0: no failures
  QDoubleSpinBox* restartBox() const { return restart_min_; }              ///< minutes

 signals:
  void changed();

 private:
  struct Field {
    QWidget* widget;
    QLabel* error;
  };
  void addField(QFormLayout* form, const QString& label, QWidget* w, const QString& tip,
                std::initializer_list<const char*> paths);
  void updateEnabled();
  void loadCustomFrom(const plan::ModelConfig& m);

  const plan::Catalog& catalog_;
  QComboBox* model_;
  QComboBox* phase_;
  QComboBox* precision_;
  QSpinBox* gpus_;
  QCheckBox* search_;
  QSpinBox* tp_;
  QSpinBox* pp_;
  QSpinBox* micro_batch_;
  QSpinBox* global_batch_;
  QSpinBox* seq_len_;
  QDoubleSpinBox* tokens_b_;
  QComboBox* zero_;
  QComboBox* recompute_;
  QComboBox* adapter_;
  QSpinBox* adapter_rank_;
  QComboBox* optimizer_;
  QComboBox* offload_;
  QSpinBox* host_memory_gib_;
  QComboBox* rank_order_;
  QSpinBox* context_;
  QSpinBox* output_;
  QSpinBox* batch_;
  QDoubleSpinBox* qps_;
  QDoubleSpinBox* tpot_ms_;
  QDoubleSpinBox* ttft_ms_;
  QSpinBox* prefix_;
  QGroupBox* custom_group_;
  QSpinBox* layers_;
  QSpinBox* hidden_;
  QSpinBox* heads_;
  QSpinBox* kv_heads_;
  QSpinBox* ffn_;
  QSpinBox* vocab_;
  QGroupBox* train_group_;
  QGroupBox* checkpoint_group_;
  QDoubleSpinBox* ckpt_every_min_;
  QComboBox* ckpt_mode_;
  QDoubleSpinBox* ckpt_write_gbps_;
  QDoubleSpinBox* ckpt_read_gbps_;
  QDoubleSpinBox* mtbf_h_;
  QDoubleSpinBox* restart_min_;
  QGroupBox* infer_group_;
  QLabel* general_error_;
  plan::ModelConfig custom_base_;
  std::map<std::string, Field> fields_;  // by JSON path
  bool loading_ = false;
};

}  // namespace headroom::gui
