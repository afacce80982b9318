#include "workload_panel.hpp"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace headroom::gui {

namespace {

QSpinBox* spin(int lo, int hi, int step = 1) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setAccelerated(true);
  return s;
}

QDoubleSpinBox* dspin(double lo, double hi, int decimals, double step, const QString& suffix) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setDecimals(decimals);
  s->setSingleStep(step);
  s->setSuffix(suffix);
  s->setAccelerated(true);
  return s;
}

const char* kPrecisions[] = {"bf16", "fp16", "fp8", "tf32", "fp32", "int8", "int4", "fp4"};
const char* kErrorStyle = "color: #b01c1c;";
const char* kInvalidStyle = "border: 2px solid #b01c1c;";

}  // namespace

WorkloadPanel::WorkloadPanel(const plan::Catalog& catalog, QWidget* parent) : QWidget(parent), catalog_(catalog) {
  model_ = new QComboBox;
  for (const plan::ModelConfig& m : catalog.models) {
    model_->addItem(QStringLiteral("%1 (%2 B params)").arg(QString::fromStdString(m.name)).arg(plan::count_params(m).total / 1e9, 0, 'f', 1),
                    QString::fromStdString(m.id));
  }
  model_->addItem(QStringLiteral("Custom architecture…"), QString());
  // The longest catalog names would widen the form past the dock (see rank_order_ below).
  model_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  model_->setMinimumContentsLength(24);
  phase_ = new QComboBox;
  phase_->addItem(QStringLiteral("Train"), QStringLiteral("train"));
  phase_->addItem(QStringLiteral("Infer"), QStringLiteral("infer"));
  precision_ = new QComboBox;
  for (const char* p : kPrecisions) precision_->addItem(QString::fromLatin1(p), QString::fromLatin1(p));
  gpus_ = spin(1, 1'000'000);
  search_ = new QCheckBox(QStringLiteral("Search the best parallelism"));
  tp_ = spin(1, 1024);
  pp_ = spin(1, 1024);
  micro_batch_ = spin(1, 4096);
  global_batch_ = spin(1, 1 << 26);
  seq_len_ = spin(1, 1 << 24, 512);
  tokens_b_ = new QDoubleSpinBox;
  tokens_b_->setRange(0, 1e7);
  tokens_b_->setDecimals(1);
  tokens_b_->setSuffix(QStringLiteral(" B tokens"));
  zero_ = new QComboBox;
  for (int z = 0; z <= 3; ++z) zero_->addItem(QStringLiteral("ZeRO-%1").arg(z), z);
  recompute_ = new QComboBox;
  for (const char* r : {"none", "selective", "full"}) recompute_->addItem(QString::fromLatin1(r), QString::fromLatin1(r));
  adapter_ = new QComboBox;
  adapter_->addItem(QStringLiteral("full training"), QStringLiteral("none"));
  adapter_->addItem(QStringLiteral("LoRA (base frozen)"), QStringLiteral("lora"));
  adapter_->addItem(QStringLiteral("QLoRA (4-bit base)"), QStringLiteral("qlora"));
  adapter_rank_ = spin(1, 65536, 8);
  optimizer_ = new QComboBox;
  optimizer_->addItem(QStringLiteral("Adam (fp32 moments)"), QStringLiteral("adam"));
  optimizer_->addItem(QStringLiteral("Adam, bf16 moments"), QStringLiteral("adam-bf16"));
  optimizer_->addItem(QStringLiteral("8-bit Adam (bitsandbytes)"), QStringLiteral("adam-8bit"));
  optimizer_->addItem(QStringLiteral("Lion (one fp32 momentum)"), QStringLiteral("lion"));
  offload_ = new QComboBox;
  offload_->addItem(QStringLiteral("on the GPU"), QStringLiteral("none"));
  offload_->addItem(QStringLiteral("in host memory (ZeRO-Offload)"), QStringLiteral("optimizer"));
  host_memory_gib_ = spin(0, static_cast<int>(kMaxHostMemoryGib), 64);
  host_memory_gib_->setSuffix(QStringLiteral(" GiB"));
  host_memory_gib_->setSpecialValueText(QStringLiteral("the profile's (datasheet: not checked)"));
  rank_order_ = new QComboBox;
  rank_order_->addItem(QStringLiteral("tp-cp-ep-dp-pp (pipeline outermost, Megatron default)"),
                       QString::fromStdString(plan::to_string(plan::RankOrder::kPipelineOuter)));
  rank_order_->addItem(QStringLiteral("tp-cp-ep-pp-dp (data parallel outermost, Llama 3)"),
                       QString::fromStdString(plan::to_string(plan::RankOrder::kDataOuter)));
  // Long item texts would otherwise widen the whole form past the dock (a sideways scroll bar that
  // cut every field's right edge); the popup still shows them in full.
  rank_order_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  rank_order_->setMinimumContentsLength(16);
  // Checkpoints and failures in the units of the CLI's flags (minutes, GB/s, hours); the form stores SI.
  ckpt_every_min_ = dspin(0, kMaxCheckpointEveryS / 60.0, 1, 5, QStringLiteral(" min"));
  ckpt_every_min_->setSpecialValueText(QStringLiteral("Young's optimum (needs an MTBF)"));
  ckpt_mode_ = new QComboBox;
  ckpt_mode_->addItem(QStringLiteral("sync: training waits for the write"), QStringLiteral("sync"));
  ckpt_mode_->addItem(QStringLiteral("async: waits for the copy to host"), QStringLiteral("async"));
  ckpt_write_gbps_ = dspin(0, kMaxStorageBytesPerS / 1e9, 2, 0.5, QStringLiteral(" GB/s per node"));
  ckpt_write_gbps_->setSpecialValueText(QStringLiteral("the profile's"));
  ckpt_read_gbps_ = dspin(0, kMaxStorageBytesPerS / 1e9, 2, 0.5, QStringLiteral(" GB/s per node"));
  ckpt_read_gbps_->setSpecialValueText(QStringLiteral("the profile's"));
  mtbf_h_ = dspin(0, kMaxMtbfS / 3600.0, 2, 1, QStringLiteral(" h"));
  mtbf_h_->setSpecialValueText(QStringLiteral("none (no failures)"));
  restart_min_ = dspin(0, kMaxRestartS / 60.0, 1, 1, QStringLiteral(" min"));
  context_ = spin(1, 1 << 24, 256);
  output_ = spin(1, 1 << 24, 64);
  batch_ = spin(0, 1 << 26);
  batch_->setSpecialValueText(QStringLiteral("as many as fit"));
  qps_ = new QDoubleSpinBox;
  qps_->setRange(0, 1e9);
  qps_->setSpecialValueText(QStringLiteral("none"));
  qps_->setSuffix(QStringLiteral(" req/s"));
  tpot_ms_ = new QDoubleSpinBox;
  tpot_ms_->setRange(0, 3.6e6);
  tpot_ms_->setSpecialValueText(QStringLiteral("no SLO"));
  tpot_ms_->setSuffix(QStringLiteral(" ms"));
  ttft_ms_ = new QDoubleSpinBox;
  ttft_ms_->setRange(0, 8.64e7);
  ttft_ms_->setSpecialValueText(QStringLiteral("no SLO"));
  ttft_ms_->setSuffix(QStringLiteral(" ms"));
  prefix_ = spin(0, 1 << 24, 256);
  prefix_->setSpecialValueText(QStringLiteral("none"));
  layers_ = spin(1, 100000);
  hidden_ = spin(1, 1 << 20, 128);
  heads_ = spin(1, 65536);
  kv_heads_ = spin(1, 65536);
  ffn_ = spin(1, 1 << 22, 256);
  vocab_ = spin(1, 1 << 24, 1024);

  auto* top = new QFormLayout;
  addField(top, QStringLiteral("&Model"), model_, QStringLiteral("Transformer from data/models, or a custom architecture"), {"$.model"});
  addField(top, QStringLiteral("&Phase"), phase_, QStringLiteral("Training or inference"), {});
  addField(top, QStringLiteral("P&recision"), precision_, QStringLiteral("Training: matmul precision (fp32 master weights). Inference: weight precision"),
           {"$.train.precision"});
  addField(top, QStringLiteral("&GPUs"), gpus_, QStringLiteral("Total GPUs of the job"), {"$.gpus", "$.parallelism"});

  custom_group_ = new QGroupBox(QStringLiteral("Custom architecture"));
  auto* custom = new QFormLayout(custom_group_);
  addField(custom, QStringLiteral("Layers"), layers_, QStringLiteral("Transformer layers"), {"$.model.num_layers"});
  addField(custom, QStringLiteral("Hidden size"), hidden_, QStringLiteral("Model width (elements)"), {"$.model.hidden_size", "$.model.head_dim"});
  addField(custom, QStringLiteral("Heads"), heads_, QStringLiteral("Attention heads"), {"$.model.num_heads"});
  addField(custom, QStringLiteral("KV heads"), kv_heads_, QStringLiteral("Key/value heads (GQA); = heads for MHA"), {"$.model.num_kv_heads"});
  addField(custom, QStringLiteral("FFN size"), ffn_, QStringLiteral("MLP hidden size (elements)"), {"$.model.ffn_hidden_size"});
  addField(custom, QStringLiteral("Vocabulary"), vocab_, QStringLiteral("Tokens in the vocabulary"), {"$.model.vocab_size"});

  train_group_ = new QGroupBox(QStringLiteral("Training"));
  auto* train = new QFormLayout(train_group_);
  train->addRow(search_);
  addField(train, QStringLiteral("&TP"), tp_, QStringLiteral("Tensor parallel size (must divide the heads)"), {"$.parallelism.tp"});
  addField(train, QStringLiteral("PP"), pp_, QStringLiteral("Pipeline parallel size (must divide the layers)"), {"$.parallelism.pp"});
  addField(train, QStringLiteral("Rank order"), rank_order_,
           QStringLiteral("How ranks fill the nodes, innermost first: which groups cross the nodes' network. The "
                          "search tries both orders."),
           {"$.parallelism.rank_order"});
  addField(train, QStringLiteral("Micro-batch"), micro_batch_, QStringLiteral("Sequences per micro-batch"), {"$.train.micro_batch"});
  addField(train, QStringLiteral("Global &batch"), global_batch_, QStringLiteral("Sequences per optimizer step"), {"$.train.global_batch"});
  addField(train, QStringLiteral("&Sequence"), seq_len_, QStringLiteral("Tokens per sequence"), {"$.train.seq_len", "$.parallelism.cp"});
  addField(train, QStringLiteral("Token budget"), tokens_b_, QStringLiteral("Training tokens, in billions (1e9)"), {"$.train.tokens"});
  addField(train, QStringLiteral("ZeRO"), zero_, QStringLiteral("Optimizer-state sharding stage (1 = distributed optimizer)"), {"$.train.zero_stage"});
  addField(train, QStringLiteral("Recompute"), recompute_, QStringLiteral("Activation recomputation"), {});
  addField(train, QStringLiteral("Fine-tuning"), adapter_,
           QStringLiteral("Full training, or LoRA / QLoRA adapters on every linear layer with the base model frozen"),
           {"$.train.adapter.method"});
  addField(train, QStringLiteral("Adapter rank"), adapter_rank_, QStringLiteral("LoRA rank r"), {"$.train.adapter.rank"});
  addField(train, QStringLiteral("Optimizer"), optimizer_,
           QStringLiteral("Optimizer states per trained element besides the fp32 master weight"), {"$.train.optimizer"});
  addField(train, QStringLiteral("Optimizer in"), offload_,
           QStringLiteral("Master weights, optimizer states and the update on the GPU, or in host memory (needs ZeRO 1-3)"),
           {"$.train.offload"});
  addField(train, QStringLiteral("Host RAM per node"), host_memory_gib_,
           QStringLiteral("Host memory of one node, GiB, that the offloaded optimizer must fit in, for every option "
                          "(0: each profile's own; datasheet profiles have none, so it is not checked)"),
           {});

  checkpoint_group_ = new QGroupBox(QStringLiteral("Checkpoints && failures"));
  checkpoint_group_->setCheckable(true);
  checkpoint_group_->setChecked(false);
  checkpoint_group_->setToolTip(QStringLiteral(
      "Adds checkpoint stalls and the expected cost of interruptions to time-to-train (docs/planner.md). Off: "
      "neither is modelled."));
  auto* ckpt = new QFormLayout(checkpoint_group_);
  addField(ckpt, QStringLiteral("Interval"), ckpt_every_min_,
           QStringLiteral("Minutes of training between checkpoints; leftmost: Young's optimum √(2 · stall · MTBF), "
                          "which needs an MTBF"),
           {"$.train.checkpoint.every_s"});
  addField(ckpt, QStringLiteral("Mode"), ckpt_mode_,
           QStringLiteral("sync: training stops for the whole write; async: it waits only for the copy to host "
                          "memory, and the write runs in the background until the next checkpoint"),
           {});
  addField(ckpt, QStringLiteral("Write"), ckpt_write_gbps_,
           QStringLiteral("Storage write bandwidth per node, GB/s (1e9 bytes/s); leftmost: each option's profile "
                          "(storage.checkpoint_write_bytes_per_s, else storage.write_bytes_per_s; unknown in datasheet "
                          "profiles)"),
           {"$.train.checkpoint.write_bytes_per_s"});
  addField(ckpt, QStringLiteral("Read"), ckpt_read_gbps_,
           QStringLiteral("Storage read bandwidth per node, GB/s, to load the checkpoint after a failure; leftmost: "
                          "each option's profile (storage.read_bytes_per_s; unknown in datasheet profiles)"),
           {"$.train.checkpoint.read_bytes_per_s"});
  addField(ckpt, QStringLiteral("MTBF"), mtbf_h_,
           QStringLiteral("Mean hours between interruptions of this job at its size (Llama 3 405B: 419 in 54 days on "
                          "16,384 H100, 3.1 h); leftmost: failures not modelled"),
           {"$.train.failures.mtbf_s"});
  addField(ckpt, QStringLiteral("Restart"), restart_min_,
           QStringLiteral("Minutes to detect a failure, reschedule and reinitialise before the checkpoint is read "
                          "(10 min is the planner's assumed default, not a measurement)"),
           {"$.train.failures.restart_s"});

  infer_group_ = new QGroupBox(QStringLiteral("Inference"));
  auto* infer = new QFormLayout(infer_group_);
  addField(infer, QStringLiteral("Context"), context_, QStringLiteral("Prompt tokens per request"), {"$.infer.context_len"});
  addField(infer, QStringLiteral("Output"), output_, QStringLiteral("Generated tokens per request"), {"$.infer.output_len"});
  addField(infer, QStringLiteral("Batch"), batch_, QStringLiteral("Concurrent requests (0: as many as fit)"), {"$.infer.batch"});
  addField(infer, QStringLiteral("QPS"), qps_, QStringLiteral("Offered requests per second"), {"$.infer.qps"});
  addField(infer, QStringLiteral("TPOT SLO"), tpot_ms_, QStringLiteral("Time-per-output-token target, milliseconds"), {"$.infer.tpot_slo_s"});
  addField(infer, QStringLiteral("TTFT SLO"), ttft_ms_,
           QStringLiteral("Time-to-first-token target under load, milliseconds"), {"$.infer.ttft_slo_s"});
  addField(infer, QStringLiteral("Shared prefix"), prefix_,
           QStringLiteral("Prompt tokens every request shares (system prompt), kept once in the prefix cache"),
           {"$.infer.shared_prefix_tokens"});

  general_error_ = new QLabel;
  general_error_->setStyleSheet(QString::fromLatin1(kErrorStyle));
  general_error_->setWordWrap(true);
  general_error_->hide();

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(custom_group_);
  layout->addWidget(train_group_);
  layout->addWidget(checkpoint_group_);
  layout->addWidget(infer_group_);
  layout->addWidget(general_error_);
  layout->addStretch(1);

  const auto edited = [this] {
    if (loading_) return;
    updateEnabled();
    emit changed();
  };
  for (QComboBox* c :
       {model_, phase_, precision_, zero_, recompute_, adapter_, optimizer_, offload_, rank_order_, ckpt_mode_})
    connect(c, &QComboBox::currentIndexChanged, this, edited);
  for (QSpinBox* s : {gpus_, tp_, pp_, micro_batch_, global_batch_, seq_len_, context_, output_, batch_, layers_,
                      hidden_, heads_, kv_heads_, ffn_, vocab_, adapter_rank_, prefix_, host_memory_gib_}) {
    connect(s, &QSpinBox::valueChanged, this, edited);
  }
  for (QDoubleSpinBox* s : {tokens_b_, qps_, tpot_ms_, ttft_ms_, ckpt_every_min_, ckpt_write_gbps_, ckpt_read_gbps_,
                             mtbf_h_, restart_min_})
    connect(s, &QDoubleSpinBox::valueChanged, this, edited);
  connect(search_, &QCheckBox::toggled, this, edited);
  connect(checkpoint_group_, &QGroupBox::toggled, this, edited);
  connect(model_, &QComboBox::currentIndexChanged, this, [this] {
    // Switching to "custom" starts from the architecture shown before.
    const QString id = model_->currentData().toString();
    if (!id.isEmpty()) {
      if (const plan::ModelConfig* m = catalog_.find_model(id.toStdString())) loadCustomFrom(*m);
    }
  });
}

void WorkloadPanel::addField(QFormLayout* form, const QString& label, QWidget* w, const QString& tip,
                             std::initializer_list<const char*> paths) {
  w->setToolTip(tip);
  auto* error = new QLabel;
  error->setStyleSheet(QString::fromLatin1(kErrorStyle));
  error->setWordWrap(true);
  error->hide();
  auto* box = new QWidget;
  auto* v = new QVBoxLayout(box);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  v->addWidget(w);
  v->addWidget(error);
  form->addRow(label, box);
  for (const char* p : paths) fields_[p] = Field{w, error};
}

void WorkloadPanel::loadCustomFrom(const plan::ModelConfig& m) {
  const bool was = loading_;
  loading_ = true;
  custom_base_ = m;
  layers_->setValue(static_cast<int>(m.num_layers));
  hidden_->setValue(static_cast<int>(m.hidden_size));
  heads_->setValue(static_cast<int>(m.num_heads));
  kv_heads_->setValue(static_cast<int>(m.num_kv_heads));
  ffn_->setValue(static_cast<int>(m.ffn_hidden_size));
  vocab_->setValue(static_cast<int>(m.vocab_size));
  loading_ = was;
}

void WorkloadPanel::updateEnabled() {
  const bool custom = model_->currentData().toString().isEmpty();
  const bool train = phase_->currentData().toString() == QLatin1String("train");
  custom_group_->setVisible(custom);
  train_group_->setVisible(train);
  infer_group_->setVisible(!train);
  checkpoint_group_->setVisible(train);
  // The read rate and the restart act only after a failure: without an MTBF there is none.
  const bool failures = mtbf_h_->value() > 0;
  ckpt_read_gbps_->setEnabled(failures);
  restart_min_->setEnabled(failures);
  // With the search on, TP / PP / micro-batch / recompute / ZeRO / rank order are what the search chooses.
  const bool manual = !search_->isChecked();
  for (QWidget* w : std::initializer_list<QWidget*>{tp_, pp_, micro_batch_, zero_, recompute_, rank_order_})
    w->setEnabled(manual || !train);
  // Host RAM is checked only for an offloaded optimizer.
  host_memory_gib_->setEnabled(train && offload_->currentData().toString() == QLatin1String("optimizer"));
  adapter_rank_->setEnabled(adapter_->currentData().toString() != QLatin1String("none"));
}

void WorkloadPanel::setForm(const WorkloadForm& f) {
  loading_ = true;
  const int idx = model_->findData(QString::fromStdString(f.model_id));
  model_->setCurrentIndex(idx >= 0 ? idx : model_->count() - 1);
  loadCustomFrom(f.model_id.empty() ? f.custom : catalog_.model(f.model_id));
  phase_->setCurrentIndex(f.phase == plan::Phase::kTrain ? 0 : 1);
  precision_->setCurrentIndex(std::max(0, precision_->findData(QString::fromStdString(plan::to_string(f.precision)))));
  gpus_->setValue(f.gpus);
  search_->setChecked(f.search);
  tp_->setValue(f.tp);
  pp_->setValue(f.pp);
  micro_batch_->setValue(static_cast<int>(f.micro_batch));
  global_batch_->setValue(static_cast<int>(f.global_batch));
  seq_len_->setValue(static_cast<int>(f.seq_len));
  tokens_b_->setValue(f.tokens / 1e9);
  zero_->setCurrentIndex(f.zero_stage);
  recompute_->setCurrentIndex(std::max(0, recompute_->findData(QString::fromStdString(plan::to_string(f.recompute)))));
  adapter_->setCurrentIndex(std::max(0, adapter_->findData(QString::fromStdString(plan::to_string(f.adapter)))));
  adapter_rank_->setValue(static_cast<int>(f.adapter_rank));
  optimizer_->setCurrentIndex(std::max(0, optimizer_->findData(QString::fromStdString(plan::to_string(f.optimizer)))));
  offload_->setCurrentIndex(std::max(0, offload_->findData(QString::fromStdString(plan::to_string(f.offload)))));
  host_memory_gib_->setValue(static_cast<int>(std::lround(f.host_memory_gib)));
  rank_order_->setCurrentIndex(
      std::max(0, rank_order_->findData(QString::fromStdString(plan::to_string(f.rank_order)))));
  context_->setValue(static_cast<int>(f.context_len));
  output_->setValue(static_cast<int>(f.output_len));
  batch_->setValue(static_cast<int>(f.batch));
  qps_->setValue(f.qps);
  tpot_ms_->setValue(f.tpot_slo_s * 1e3);
  ttft_ms_->setValue(f.ttft_slo_s * 1e3);
  prefix_->setValue(static_cast<int>(f.shared_prefix_tokens));
  checkpoint_group_->setChecked(f.checkpoint.enabled);
  ckpt_every_min_->setValue(f.checkpoint.every_s / 60.0);
  ckpt_mode_->setCurrentIndex(std::max(0, ckpt_mode_->findData(QString::fromStdString(plan::to_string(f.checkpoint.mode)))));
  ckpt_write_gbps_->setValue(f.checkpoint.write_bytes_per_s / 1e9);
  ckpt_read_gbps_->setValue(f.checkpoint.read_bytes_per_s / 1e9);
  mtbf_h_->setValue(f.checkpoint.mtbf_s / 3600.0);
  restart_min_->setValue(f.checkpoint.restart_s / 60.0);
  loading_ = false;
  updateEnabled();
}

WorkloadForm WorkloadPanel::form() const {
  WorkloadForm f;
  f.model_id = model_->currentData().toString().toStdString();
  if (f.model_id.empty()) {
    f.custom = custom_base_;
    f.custom.id = "custom";
    f.custom.name = "Custom (" + custom_base_.name + " shape)";
    f.custom.aliases.clear();
    f.custom.num_layers = layers_->value();
    f.custom.hidden_size = hidden_->value();
    f.custom.num_heads = heads_->value();
    f.custom.num_kv_heads = kv_heads_->value();
    f.custom.head_dim = heads_->value() > 0 ? hidden_->value() / heads_->value() : 0;
    f.custom.ffn_hidden_size = ffn_->value();
    f.custom.vocab_size = vocab_->value();
    // Layer counts of the base's layer kinds follow a changed depth in proportion (a hybrid keeps its
    // share of Mamba layers, gpt-oss its sliding-window share), within the new count.
    const std::int64_t depth = f.custom.num_layers, base_depth = std::max<std::int64_t>(1, custom_base_.num_layers);
    const auto scaled = [&](std::int64_t n) {
      return std::clamp<std::int64_t>((n * depth + base_depth / 2) / base_depth, 0, depth);
    };
    f.custom.mamba_layers = scaled(custom_base_.mamba_layers);
    if (custom_base_.mamba_layers > 0) f.custom.mamba_layers = std::max<std::int64_t>(1, f.custom.mamba_layers);
    f.custom.mamba_attention_layers =
        std::min(scaled(custom_base_.mamba_attention_layers), depth - f.custom.mamba_layers);  // separate layout
    f.custom.sliding_window_layers = std::min(scaled(custom_base_.sliding_window_layers), f.custom.attention_layers());
    f.custom.first_dense_layers =
        std::min(scaled(custom_base_.first_dense_layers), std::max<std::int64_t>(0, depth - 1));
  } else if (const plan::ModelConfig* m = catalog_.find_model(f.model_id)) {
    f.custom = *m;
  }
  f.phase = phase_->currentData().toString() == QLatin1String("train") ? plan::Phase::kTrain : plan::Phase::kInfer;
  f.precision = plan::precision_from_string(precision_->currentData().toString().toStdString());
  f.gpus = gpus_->value();
  f.search = search_->isChecked();
  f.tp = tp_->value();
  f.pp = pp_->value();
  f.micro_batch = micro_batch_->value();
  f.global_batch = global_batch_->value();
  f.seq_len = seq_len_->value();
  f.tokens = tokens_b_->value() * 1e9;
  f.zero_stage = zero_->currentData().toInt();
  f.recompute = plan::recompute_from_string(recompute_->currentData().toString().toStdString());
  f.context_len = context_->value();
  f.output_len = output_->value();
  f.batch = batch_->value();
  f.qps = qps_->value();
  f.tpot_slo_s = tpot_ms_->value() / 1e3;
  f.ttft_slo_s = ttft_ms_->value() / 1e3;
  f.shared_prefix_tokens = prefix_->value();
  f.adapter = plan::adapter_method_from_string(adapter_->currentData().toString().toStdString());
  f.adapter_rank = adapter_rank_->value();
  f.optimizer = plan::optimizer_from_string(optimizer_->currentData().toString().toStdString());
  f.offload = plan::offload_from_string(offload_->currentData().toString().toStdString());
  f.host_memory_gib = host_memory_gib_->value();
  f.rank_order = plan::rank_order_from_string(rank_order_->currentData().toString().toStdString());
  f.checkpoint.enabled = checkpoint_group_->isChecked();
  f.checkpoint.every_s = ckpt_every_min_->value() * 60.0;
  f.checkpoint.mode = plan::checkpoint_mode_from_string(ckpt_mode_->currentData().toString().toStdString());
  f.checkpoint.write_bytes_per_s = ckpt_write_gbps_->value() * 1e9;
  f.checkpoint.read_bytes_per_s = ckpt_read_gbps_->value() * 1e9;
  f.checkpoint.mtbf_s = mtbf_h_->value() * 3600.0;
  f.checkpoint.restart_s = restart_min_->value() * 60.0;
  return f;
}

void WorkloadPanel::showError(const QString& json_path, const QString& reason) {
  for (auto& [path, field] : fields_) {
    field.error->hide();
    field.error->clear();
    field.widget->setStyleSheet(QString());
  }
  general_error_->hide();
  if (json_path.isEmpty() && reason.isEmpty()) return;
  const auto it = fields_.find(json_path.toStdString());
  if (it == fields_.end()) {
    general_error_->setText(QStringLiteral("⚠ %1: %2").arg(json_path, reason));
    general_error_->show();
    return;
  }
  it->second.error->setText(QStringLiteral("⚠ expected %1").arg(reason));
  it->second.error->show();
  it->second.widget->setStyleSheet(QString::fromLatin1(kInvalidStyle));
}

QString WorkloadPanel::errorText(const QString& json_path) const {
  const auto it = fields_.find(json_path.toStdString());
  if (it == fields_.end()) return !general_error_->isHidden() ? general_error_->text() : QString();
  return !it->second.error->isHidden() ? it->second.error->text() : QString();
}

}  // namespace headroom::gui
