// Communication terms of the step-time model, as known answers on a synthetic model and hand-made
// rates (α = 0 unless stated, memory bandwidth so high that memory-bound kernels vanish), so every
// expected value below is a few lines of arithmetic: expert-parallel all-to-all, context-parallel
// ring exchange, the overlap window of data-parallel reduction, ZeRO-2/3 per-micro-batch
// reduce-scatter, expert-data-parallel sharding, the executed share of causal attention and the
// byte split of node-limited MoE routing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "headroom/plan/rates.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

constexpr double kGemm = 100e12;  // FLOP/s
constexpr double kIntra = 100e9;  // B/s
constexpr double kInter = 10e9;   // B/s

ModelConfig moe_model() {
  ModelConfig m = test::synthetic_dense_model();
  m.num_experts = 8;
  m.experts_per_token = 2;
  m.moe_ffn_hidden_size = 4096;
  return m;
}

Rates rates(double gpus_per_node = 8) {
  Rates r;
  r.memory_bytes = 1e15;  // everything fits
  r.peak_flop_per_s = kGemm;
  r.gemm_flop_per_s = kGemm;
  r.memory_bytes_per_s = 1e30;  // memory-bound kernels take no time
  r.intra_bus_bytes_per_s = kIntra;
  r.inter_bus_bytes_per_s = kInter;
  r.gpus_per_node = gpus_per_node;
  return r;
}

Workload workload(const ModelConfig& m, int dp, std::int64_t micro_batches, std::int64_t seq = 1024) {
  Workload w;
  w.model = m;
  w.phase = Phase::kTrain;
  w.par.dp = dp;
  w.train.seq_len = seq;
  w.train.micro_batch = 1;
  w.train.global_batch = dp * micro_batches;
  w.train.flash_attention = false;
  w.gpus = dp;
  return w;
}

TrainResult eval(const Workload& w, const Rates& r) {
  validate(w);
  return evaluate_train(w, count_params(w.model), r, Assumptions{});
}

TEST(AllReduce, NcclPicksLlForSmallMessagesInsideANode) {
  // NCCL's tuning model, Ring/LL: 3.6 µs + 0.47 µs per step (2(n−1) steps), a quarter of the bus
  // bandwidth. A decode-time TP all-reduce (one token of h = 7168 in bf16, TP 8, 360 GB/s bus) takes
  // 10.5 µs on LL, against 140 µs on the ring model with α = 10 µs per step; a 64 MiB gradient
  // all-reduce stays on the ring (bandwidth-bound).
  const double bus = 360e9, small = 7168 * 2, large = 64.0 * 1024 * 1024;
  const double ll_small = 3.6e-6 + 14 * 0.47e-6 + small * 14 / 8 / (0.25 * bus);
  EXPECT_DOUBLE_EQ(ll_allreduce_time_s(small, 8, bus), ll_small);
  EXPECT_DOUBLE_EQ(intra_node_allreduce_time_s(small, 8, bus, 10e-6), ll_small);
  EXPECT_DOUBLE_EQ(allreduce_time_s(small, 8, bus, 10e-6), 14 * 10e-6 + small * 14 / 8 / bus);
  EXPECT_DOUBLE_EQ(intra_node_allreduce_time_s(large, 8, bus, 10e-6), allreduce_time_s(large, 8, bus, 10e-6));
  EXPECT_EQ(ll_allreduce_time_s(small, 1, bus), 0.0);
}

TEST(AllReduce, GroupsBeyondTheNvlinkBridgeCrossPcie) {
  // H100 PCIe: NVLink bridges join pairs of cards. TP 2 all-reduces on NVLink (600 / 2 × 0.8 = 240 GB/s
  // busbw), TP 4 and 8 cross PCIe (64 × 0.8 = 51.2 GB/s); the SXM part's NVSwitch joins the node.
  const Rates pcie = test::rates_for("h100-pcie-80gb");
  EXPECT_EQ(pcie.nvlink_domain_gpus, 2);
  EXPECT_DOUBLE_EQ(pcie.intra_bus_for(2), 240e9);
  EXPECT_DOUBLE_EQ(pcie.intra_bus_for(4), 51.2e9);
  EXPECT_DOUBLE_EQ(pcie.intra_bus_for(8), 51.2e9);
  const double bytes = 256e6;  // large: the ring (Simple protocol) model, 2·(n−1)/n·bytes/busbw + 2·(n−1)·α
  EXPECT_NEAR(tp_allreduce_time_s(bytes, 4, pcie), 2.0 * 3 / 4 * bytes / 51.2e9 + 6 * pcie.intra_alpha_s, 1e-12);
  EXPECT_NEAR(tp_allreduce_time_s(bytes, 2, pcie), 2.0 * 1 / 2 * bytes / 240e9 + 2 * pcie.intra_alpha_s, 1e-12);
  // A measured all-reduce on one bridged pair is the island's rate: beyond it, PCIe still. One measured
  // over more ranks than an island already crossed PCIe and stands for every group in the node.
  HardwareProfile measured = test::catalog().gpu("h100-pcie-80gb");
  measured.intra_node.bus_bytes_per_s = Quantity{230e9, Provenance::kMeasured, "nccl.all_reduce", "2026-11-22"};
  measured.intra_node.ranks = Quantity{2.0, Provenance::kMeasured, "nccl.all_reduce", "2026-11-22"};
  const Rates pair = resolve_rates(measured, Precision::kBf16, Assumptions{});
  EXPECT_DOUBLE_EQ(pair.intra_bus_for(2), 230e9);
  EXPECT_DOUBLE_EQ(pair.intra_bus_for(8), 51.2e9);
  measured.intra_node.bus_bytes_per_s.value = 40e9;
  measured.intra_node.ranks.value = 8.0;
  const Rates node = resolve_rates(measured, Precision::kBf16, Assumptions{});
  EXPECT_EQ(node.nvlink_domain_gpus, 0);
  EXPECT_DOUBLE_EQ(node.intra_bus_for(8), 40e9);
  const Rates sxm = test::rates_for("h100-sxm5-80gb");
  EXPECT_EQ(sxm.nvlink_domain_gpus, 0);
  EXPECT_DOUBLE_EQ(sxm.intra_bus_for(8), sxm.intra_bus_bytes_per_s);
  // In a training step: TP 4 on H100 PCIe spends up to 240 / 51.2 = 4.69 times the TP communication of
  // a whole-node fabric of the same NVLink rate (less: the per-step latency α is the same on both).
  Workload w = test::train_workload("llama-3-8b", 4, 1, 2, 64, 4096);
  Rates whole = pcie;
  whole.nvlink_domain_gpus = 0;
  validate(w);
  const ParamCounts pc = count_params(w.model);
  const double bridged = evaluate_train(w, pc, pcie, Assumptions{}).time.tp_comm_s;
  const double switched = evaluate_train(w, pc, whole, Assumptions{}).time.tp_comm_s;
  EXPECT_GT(bridged, 3.5 * switched);
  EXPECT_LT(bridged, 240.0 / 51.2 * switched);
}

TEST(AllToAll, PairwiseExchangeKnownAnswers) {
  // 8 MB per rank over 4 ranks in one node: 3/4 of it leaves the rank, 3 latency steps.
  EXPECT_DOUBLE_EQ(alltoall_time_s(8e6, 4, 4, kIntra, kInter, 2e-6, 20e-6), 3 * 2e-6 + 6e6 / kIntra);
  // 2 of the 4 ranks per node: 1/4 over NVLink, 2/4 over the network (the slower, and they run at
  // the same time); the network's latency.
  EXPECT_DOUBLE_EQ(alltoall_time_s(8e6, 4, 2, kIntra, kInter, 2e-6, 20e-6), 3 * 20e-6 + 4e6 / kInter);
  // One rank per node: everything but its own share crosses the network.
  EXPECT_DOUBLE_EQ(alltoall_time_s(8e6, 4, 1, kIntra, kInter, 0, 0), 6e6 / kInter);
  EXPECT_EQ(alltoall_time_s(8e6, 1, 1, kIntra, kInter, 1e-6, 1e-6), 0.0);
}

TEST(ExpertParallel, AllToAllPerMoeLayerInStepTime) {
  Workload w = workload(moe_model(), 4, 3);
  const TrainResult no_ep = eval(w, rates());
  EXPECT_EQ(no_ep.time.ep_comm_s, 0.0);
  w.par.ep = 4;
  const TrainResult r = eval(w, rates());
  // Each rank dispatches s·b = 1024 tokens × top-2 × h = 1024 × 2 B: 4 MiB; 3/4 leaves the rank over
  // NVLink. 4 all-to-alls (dispatch + combine, forward + backward) per MoE layer, 4 layers, 3 micro-batches.
  const double bytes = 1024.0 * 2 * 1024 * 2;
  const double per = bytes * 3 / 4 / kIntra;
  EXPECT_NEAR(r.time.ep_comm_s, 3 * 4 * 4 * per, 1e-15);
  EXPECT_NEAR(
      r.time.step_s - no_ep.time.step_s,
      r.time.ep_comm_s + (r.time.dp_comm_s - no_ep.time.dp_comm_s) + (r.time.optimizer_s - no_ep.time.optimizer_s),
      1e-12);
  // Two GPUs per node: the EP group spans two nodes, half of each rank's tokens go over the network.
  const TrainResult inter = eval(w, rates(2));
  EXPECT_NEAR(inter.time.ep_comm_s, 3 * 4 * 4 * (bytes * 2 / 4 / kInter), 1e-15);
  // Full recompute repeats the forward's two all-to-alls.
  w.train.recompute = Recompute::kFull;
  EXPECT_NEAR(eval(w, rates()).time.ep_comm_s, 3 * 4 * 6 * per, 1e-15);
}

// Node-limited routing (DeepSeek-V3 §2.1.2, §3.2.2) on 4 nodes × 8 GPUs, EP 32, top-4, at most M = 2
// nodes per token. C = one copy of a rank's tokens = 1024 tokens × h 1024 × 2 B.
constexpr double kCopy = 1024.0 * 1024 * 2;

TEST(NodeLimitedRouting, BytesPerLinkKnownAnswers) {
  const double routed = 4 * kCopy;  // what alltoall_time_s takes: all 4 routed copies
  // Network: unlimited routing would send 4 × 24/32 = 3 copies; node-limited sends one per remote
  // target node, M·(nodes − 1)/nodes = 2 × 3/4 = 1.5. NVLink: 4 × 7/8 = 3.5 copies (1/8 of the
  // 4 copies stay on their own GPU: the sender's own share or the in-node-index GPU that received them).
  MoeAlltoallBytes b = node_limited_alltoall_bytes(routed, 4, 2, 32, 8);
  EXPECT_DOUBLE_EQ(b.inter_bytes, 1.5 * kCopy);
  EXPECT_DOUBLE_EQ(b.intra_bytes, 3.5 * kCopy);
  // M = 1: a single target node, remote with probability 3/4.
  EXPECT_DOUBLE_EQ(node_limited_alltoall_bytes(routed, 4, 1, 32, 8).inter_bytes, 0.75 * kCopy);
  // M ≥ nodes: the limit binds at the 4 nodes there are; the network copies match unlimited routing's
  // 3 (each remote node once, and top-4 can reach all 4 nodes).
  EXPECT_DOUBLE_EQ(node_limited_alltoall_bytes(routed, 4, 8, 32, 8).inter_bytes, 3 * kCopy);
  // Top-8 over 2 nodes of 4 ranks: once to the other node (not 8 × 4/8 = 4 copies).
  b = node_limited_alltoall_bytes(8 * kCopy, 8, 4, 8, 4);
  EXPECT_DOUBLE_EQ(b.inter_bytes, 1 * kCopy);
  EXPECT_DOUBLE_EQ(b.intra_bytes, 8 * 0.75 * kCopy);
  // Top-1: never more than the one routed copy's remote share (1 × 24/32), whatever M.
  EXPECT_DOUBLE_EQ(node_limited_alltoall_bytes(kCopy, 1, 4, 32, 8).inter_bytes, 0.75 * kCopy);
}

TEST(NodeLimitedRouting, TimeKnownAnswersAndUnchangedWithoutTheLimit) {
  const double routed = 4 * kCopy;
  // 31 network latency steps; the network's 1.5 C at 10 GB/s outlasts NVLink's 3.5 C at 100 GB/s.
  EXPECT_DOUBLE_EQ(node_limited_alltoall_time_s(routed, 4, 2, 32, 8, kIntra, kInter, 2e-6, 20e-6),
                   31 * 20e-6 + 1.5 * kCopy / kInter);
  // Unlimited: 3 C over the network, twice the transfer time.
  EXPECT_DOUBLE_EQ(alltoall_time_s(routed, 32, 8, kIntra, kInter, 2e-6, 20e-6), 31 * 20e-6 + 3 * kCopy / kInter);
  // With a fast network NVLink's fan-out is the bound: 3.5 C at 100 GB/s (0.875 C without the limit).
  EXPECT_DOUBLE_EQ(node_limited_alltoall_time_s(routed, 4, 2, 32, 8, kIntra, 1e15, 0, 0), 3.5 * kCopy / kIntra);
  // No limit, or every EP rank inside one node: exactly the pairwise all-to-all.
  EXPECT_EQ(node_limited_alltoall_time_s(routed, 4, 0, 32, 8, kIntra, kInter, 2e-6, 20e-6),
            alltoall_time_s(routed, 32, 8, kIntra, kInter, 2e-6, 20e-6));
  EXPECT_EQ(node_limited_alltoall_time_s(routed, 4, 2, 8, 8, kIntra, kInter, 2e-6, 20e-6),
            alltoall_time_s(routed, 8, 8, kIntra, kInter, 2e-6, 20e-6));
  EXPECT_EQ(node_limited_alltoall_time_s(routed, 4, 2, 1, 1, kIntra, kInter, 2e-6, 20e-6), 0.0);
}

TEST(NodeLimitedRouting, StepTimeOnFourNodes) {
  ModelConfig m = moe_model();
  m.num_experts = 32;
  m.experts_per_token = 4;
  Workload w = workload(m, 32, 3);
  w.gpus = 32;
  w.par.ep = 32;
  const TrainResult unlimited = eval(w, rates(8));
  // 3 micro-batches × 4 MoE layers × 4 all-to-alls, each 3 C over the network (α = 0).
  EXPECT_NEAR(unlimited.time.ep_comm_s, 3 * 4 * 4 * (3 * kCopy / kInter), 1e-15);
  w.model.max_nodes_per_token = 2;
  const TrainResult limited = eval(w, rates(8));
  EXPECT_NEAR(limited.time.ep_comm_s, 3 * 4 * 4 * (1.5 * kCopy / kInter), 1e-15);
  // Only the EP term moves (no pipeline bubble with pp = 1).
  EXPECT_NEAR(unlimited.time.step_s - limited.time.step_s, unlimited.time.ep_comm_s - limited.time.ep_comm_s, 1e-12);
  // EP inside one node (32 GPUs per node): the limit changes nothing, bit for bit.
  const TrainResult one_node_limited = eval(w, rates(32));
  w.model.max_nodes_per_token = 0;
  const TrainResult one_node = eval(w, rates(32));
  EXPECT_EQ(one_node_limited.time.ep_comm_s, one_node.time.ep_comm_s);
  EXPECT_EQ(one_node_limited.time.step_s, one_node.time.step_s);
}

TEST(ExpertParallel, ExpertStatesShardedOverExpertDataParallelGroup) {
  const ModelConfig m = moe_model();
  const ParamCounts pc = count_params(m);
  Workload w = workload(m, 8, 1);
  w.par.ep = 4;
  w.train.zero_stage = 1;
  const TrainResult r = eval(w, rates());
  // Each rank holds 1/4 of the routed experts; their optimizer states are sharded over the 8/4 = 2
  // ranks holding the same experts, everything else over all 8.
  const double expert = m.num_layers * pc.per_layer_expert / 4;
  const double dense = pc.embedding + m.num_layers * (pc.per_layer - pc.per_layer_expert) + pc.output + pc.final_norm;
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, dense + expert);
  EXPECT_NEAR(r.memory.optimizer_bytes, 8.0 * (dense / 8 + expert / 2), 1e-3);
  EXPECT_NEAR(r.memory.master_bytes, 4.0 * (dense / 8 + expert / 2), 1e-3);
  EXPECT_NEAR(r.memory.weights_bytes, 2.0 * (dense + expert), 1e-3);
}

TEST(ContextParallel, RingExchangeExposedBeyondAttention) {
  Workload w = workload(test::synthetic_dense_model(), 1, 2);
  w.par.cp = 2;
  w.gpus = 2;
  // K and V chunk: s/cp·b tokens × 8 KV heads × (128 + 128) × 2 B = 2 MiB, sent cp − 1 = 1 time per
  // layer forward; the attention core of the rank, 2·s·s·a·(d + d_v)/cp FLOP, runs meanwhile.
  const double chunk = 512.0 * 8 * 256 * 2;
  const double attention = 2.0 * 1024 * 1024 * 8 * 256 / 2 / kGemm;
  Rates fast = rates();
  EXPECT_LT(chunk / fast.intra_bus_bytes_per_s, attention);
  EXPECT_EQ(eval(w, fast).time.cp_comm_s, 0.0);  // hidden behind the attention blocks
  Rates slow = rates();
  slow.intra_bus_bytes_per_s = 10e9;
  const double exposed = chunk / 10e9 - attention;
  ASSERT_GT(exposed, 0);
  // Forward once, backward moves K, V and their gradients (twice); 4 layers, 2 micro-batches.
  EXPECT_NEAR(eval(w, slow).time.cp_comm_s, 2 * 4 * (exposed + 2 * exposed), 1e-15);
  // A fused kernel runs 1025/2048 of the core, and its backward also recomputes QKᵀ (half the core
  // here: query/key and value widths are both 128), which the backward's sends hide behind too.
  w.train.flash_attention = true;
  const double fused_attention = attention * 1025 / 2048;
  const double fused_exposed = chunk / 10e9 - fused_attention;
  const double recompute = fused_attention / 2;
  EXPECT_NEAR(eval(w, slow).time.cp_comm_s, 2 * 4 * (fused_exposed + (2 * fused_exposed - recompute)), 1e-15);
}

TEST(DataParallel, OverlapHidesAtMostOneMicroBatchBackward) {
  const ModelConfig m = test::synthetic_dense_model();
  Workload w = workload(m, 4, 8);
  const TrainResult base = eval(w, rates());
  // Ring all-reduce of fp32 gradients over 4 ranks in a node, α = 0.
  const double grads = base.memory.params_on_gpu * 4;
  const double allreduce = grads * 2 * 3 / 4 / kIntra;
  EXPECT_NEAR(base.time.dp_comm_s, allreduce, 1e-15);
  // Backward of the last micro-batch through the 4 layers: 2 × forward FLOPs (no fused attention).
  const double window = m.num_layers * 2 * layer_forward_flop(m, 1024, 1024) / kGemm;
  ASSERT_LT(window, allreduce);
  w.train.dp_comm_overlap = 1;
  EXPECT_NEAR(eval(w, rates()).time.dp_comm_s, allreduce - window, 1e-15);
  w.train.dp_comm_overlap = 0.1;  // a framework that overlaps a tenth of it
  EXPECT_NEAR(eval(w, rates()).time.dp_comm_s, 0.9 * allreduce, 1e-15);
  // A longer sequence makes the backward longer than the reduction: fully hidden.
  Workload longer = workload(m, 4, 8, 4096);
  longer.train.dp_comm_overlap = 1;
  EXPECT_EQ(eval(longer, rates()).time.dp_comm_s, 0.0);
  // With a fused kernel the backward runs 1025/2048 of the core twice plus its QKᵀ recompute, 2 ·
  // 1024 · 1024 · 8 heads · 128 · 1025/2048 per layer: a shorter window, so more stays exposed.
  w.train.flash_attention = true;
  w.train.dp_comm_overlap = 1;
  const double skipped = attention_core_flop(m, 1024, 1024) * (1 - 1025.0 / 2048);
  const double qk = 2.0 * 1024 * 1024 * 8 * 128 * 1025 / 2048;
  const double fused_window = m.num_layers * (2 * (layer_forward_flop(m, 1024, 1024) - skipped) + qk) / kGemm;
  ASSERT_LT(fused_window, window);
  EXPECT_NEAR(eval(w, rates()).time.dp_comm_s, allreduce - fused_window, 1e-15);
}

TEST(RankPlacement, PipelineOutermostKeepsAStagesDataParallelRanksTogether) {
  // PP 2 × DP 4 = 8 GPUs. Megatron-Core (tp-cp-ep-dp-pp) and DeepSpeed (pipe-data-model) put the
  // pipeline outermost: a stage's 4 DP ranks are contiguous. On 4-GPU nodes each stage fills one
  // node, so the gradient all-reduce stays on NVLink (as when the whole job is in one 8-GPU node) and
  // every stage boundary crosses the network.
  Workload w = workload(test::synthetic_dense_model(), 4, 8);
  w.par.pp = 2;
  w.gpus = 8;
  const TrainResult one_node = eval(w, rates(8));
  const TrainResult two_nodes = eval(w, rates(4));
  ASSERT_GT(one_node.time.dp_comm_s, 0);
  EXPECT_NEAR(two_nodes.time.dp_comm_s, one_node.time.dp_comm_s, 1e-15);
  // One activation send forward and one gradient back per micro-batch: s·b·h bf16 = 2 MiB, α = 0.
  const double send = 1024.0 * 1024 * 2;
  EXPECT_NEAR(one_node.time.pp_comm_s, 8 * 2 * send / kIntra, 1e-15);
  EXPECT_NEAR(two_nodes.time.pp_comm_s, 8 * 2 * send / kInter, 1e-15);
  // On 2-GPU nodes a stage's DP group spans 2 nodes with 2 ranks on each: busbw = min(NVLink,
  // 2 NICs) = 20 GB/s against 100 GB/s, so the all-reduce (α = 0) takes 5 times as long.
  EXPECT_NEAR(eval(w, rates(2)).time.dp_comm_s, 5 * one_node.time.dp_comm_s, 1e-12);
}

TEST(RankPlacement, KnownAnswersForBothOrders) {
  // TP 2 · CP 2 · PP 2 · DP 4 = 32 GPUs on 8-GPU nodes.
  Parallelism p;
  p.tp = 2;
  p.cp = 2;
  p.pp = 2;
  p.dp = 4;
  // tp-cp-ep-dp-pp: ranks 0-7 hold TP 2 × CP 2 × DP 2 of stage 0, so 2 CP × 2 DP = 4 of the 8 dp·cp
  // ranks share a node, spanning all 8 GPUs; stages are 16 ranks apart: the pipeline crosses nodes.
  const RankPlacement outer_pp = rank_placement(p, 8);
  EXPECT_EQ(outer_pp.dp_ranks_per_node, 4);
  EXPECT_FALSE(outer_pp.dp_intra);
  EXPECT_EQ(outer_pp.dp_span_gpus, 8);
  EXPECT_FALSE(outer_pp.pp_intra);
  EXPECT_EQ(outer_pp.pp_span_gpus, 32);
  // tp-cp-ep-pp-dp: ranks 0-7 hold TP 2 × CP 2 × PP 2 of one replica: only the 2 CP ranks of the
  // gradient group (span 4 GPUs) share a node, and the whole pipeline (stride 4, span 8) stays in it.
  p.rank_order = RankOrder::kDataOuter;
  const RankPlacement outer_dp = rank_placement(p, 8);
  EXPECT_EQ(outer_dp.dp_ranks_per_node, 2);
  EXPECT_FALSE(outer_dp.dp_intra);
  EXPECT_EQ(outer_dp.dp_span_gpus, 4);
  EXPECT_TRUE(outer_dp.pp_intra);
  EXPECT_EQ(outer_dp.pp_span_gpus, 8);
  // TP 8 fills the node: either order puts one rank of every other group in it.
  p.tp = 8;
  p.cp = 1;
  for (const RankOrder o : {RankOrder::kPipelineOuter, RankOrder::kDataOuter}) {
    p.rank_order = o;
    const RankPlacement r = rank_placement(p, 8);
    EXPECT_EQ(r.dp_ranks_per_node, 1);
    EXPECT_FALSE(r.dp_intra);
    EXPECT_FALSE(r.pp_intra);
  }
}

// Every rank's coordinates, as Megatron-Core's RankGenerator numbers them: the first dimension of the
// order varies fastest. Brute force over the whole job.
struct Exact {
  double dp_min_per_node;  // fewest members of a dp·cp group in a node it touches, over all groups
  bool dp_intra, pp_intra;
};
Exact enumerate_placement(const Parallelism& p, int node) {
  const int tp = p.tp, cp = p.cp, dp = p.dp, pp = p.pp;
  const auto rank = [&](int t, int c, int d, int s) {
    return p.rank_order == RankOrder::kPipelineOuter ? t + tp * (c + cp * (d + dp * s))
                                                     : t + tp * (c + cp * (s + pp * d));
  };
  Exact e{1e9, true, true};
  for (int t = 0; t < tp; ++t) {
    for (int s = 0; s < pp; ++s) {  // a dp·cp group: fixed t and s
      std::map<int, int> per_node;
      for (int c = 0; c < cp; ++c)
        for (int d = 0; d < dp; ++d) ++per_node[rank(t, c, d, s)/ node];
      if (per_node.size() > 1) e.dp_intra = false;
      for (const auto& [n, k] : per_node) e.dp_min_per_node = std::min<double>(e.dp_min_per_node, k);
    }
    for (int c = 0; c < cp; ++c) {
      for (int d = 0; d < dp; ++d) {  // a pipeline: fixed t, c, d
        std::set<int> nodes;
        for (int s = 0; s < pp; ++s) nodes.insert(rank(t, c, d, s) / node);
        if (nodes.size() > 1) e.pp_intra = false;
      }
    }
  }
  return e;
}

TEST(RankPlacement, AgreesWithEveryRankOfTheJob) {
  // Power-of-two layouts are exact; with sizes of 3 or 6 the groups and nodes cut each other, and
  // the placement may only be pessimistic (never more ranks per node than the worst node has).
  int checked = 0, inexact = 0;
  for (const RankOrder order : {RankOrder::kPipelineOuter, RankOrder::kDataOuter}) {
    for (const int node : {2, 4, 8}) {
      for (const int tp : {1, 2, 3, 4, 8}) {
        for (const int cp : {1, 2, 3}) {
          for (const int dp : {1, 2, 3, 4, 6}) {
            for (const int pp : {1, 2, 3, 4}) {
              Parallelism p;
              p.tp = tp;
              p.cp = cp;
              p.dp = dp;
              p.pp = pp;
              p.rank_order = order;
              const Exact e = enumerate_placement(p, node);
              const RankPlacement r = rank_placement(p, node);
              const std::string what = fmt::format("{} tp{} cp{} dp{} pp{} node {}", to_string(order), tp, cp, dp, pp, node);
              EXPECT_EQ(r.dp_intra, e.dp_intra) << what;
              EXPECT_EQ(r.pp_intra, e.pp_intra) << what;
              const bool pow2 = ((tp & (tp - 1)) | (cp & (cp - 1)) | (dp & (dp - 1)) | (pp & (pp - 1))) == 0;
              if (pow2) {
                EXPECT_EQ(r.dp_ranks_per_node, e.dp_min_per_node) << what;
              } else {
                EXPECT_LE(r.dp_ranks_per_node, e.dp_min_per_node) << what;
                EXPECT_GE(r.dp_ranks_per_node, 1) << what;
                if (r.dp_ranks_per_node != e.dp_min_per_node) ++inexact;
              }
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 3 * 5 * 3 * 5 * 4);
  // Exact in all but 7 of the 900 (CP 3 with DP 6 or with a pipeline in Llama 3's order: pessimistic
  // by 1 or 2 ranks per node).
  EXPECT_EQ(inexact, 7);
  // Without a pipeline the orders are the same layout: TP 3 · CP 2 · DP 4 on 8-GPU nodes.
  Parallelism flat;
  flat.tp = 3;
  flat.cp = 2;
  flat.dp = 4;
  const RankPlacement po = rank_placement(flat, 8);
  flat.rank_order = RankOrder::kDataOuter;
  const RankPlacement dout = rank_placement(flat, 8);
  EXPECT_EQ(dout.dp_ranks_per_node, po.dp_ranks_per_node);
  EXPECT_EQ(dout.dp_ranks_per_node, 2);  // 24-rank block of 8 runs: pieces of gcd(24, 8) = 8 ranks, 2 members
  EXPECT_EQ(dout.dp_intra, po.dp_intra);
  // The review's case: TP 1 · CP 2 · DP 6 · PP 2 on 8-GPU nodes, pipeline outermost: each 12-rank
  // gradient group is split 8 + 4 (or 4 + 8) over two nodes, so 4 NICs set its pace.
  Parallelism p;
  p.cp = 2;
  p.dp = 6;
  p.pp = 2;
  EXPECT_EQ(rank_placement(p, 8).dp_ranks_per_node, 4);
}

TEST(RankPlacement, DataOuterKeepsThePipelineInANode) {
  // The job of PipelineOutermostKeepsAStagesDataParallelRanksTogether in Llama 3's order on 4-GPU
  // nodes: a replica's 2 stages are neighbours (sends over NVLink) and each node holds 2 replicas,
  // so the 4-rank DP group has 2 ranks per node: busbw min(100, 2 × 10) = 20 GB/s, 5× the time.
  Workload w = workload(test::synthetic_dense_model(), 4, 8);
  w.par.pp = 2;
  w.gpus = 8;
  const TrainResult one_node = eval(w, rates(8));
  w.par.rank_order = RankOrder::kDataOuter;
  const TrainResult two_nodes = eval(w, rates(4));
  EXPECT_NEAR(two_nodes.time.pp_comm_s, 8 * 2 * (1024.0 * 1024 * 2) / kIntra, 1e-15);
  EXPECT_NEAR(two_nodes.time.dp_comm_s, 5 * one_node.time.dp_comm_s, 1e-12);
  // Inside one node the order changes nothing.
  EXPECT_EQ(eval(w, rates(8)).time.step_s, one_node.time.step_s);
}

TEST(DataParallel, ZeroTwoReduceScattersEveryMicroBatch) {
  Workload w = workload(test::synthetic_dense_model(), 4, 8);
  w.train.zero_stage = 1;
  const TrainResult z1 = eval(w, rates());
  w.train.zero_stage = 2;
  const TrainResult z2 = eval(w, rates());
  w.train.zero_stage = 3;
  const TrainResult z3 = eval(w, rates());
  const double params = z1.memory.params_on_gpu;
  const double reduce_scatter = params * 4 * 3 / 4 / kIntra;  // fp32 gradients
  const double gather = params * 2 * 3 / 4 / kIntra;          // bf16 weights
  EXPECT_NEAR(z1.time.dp_comm_s, reduce_scatter + gather, 1e-15);
  EXPECT_NEAR(z2.time.dp_comm_s, 8 * reduce_scatter + gather, 1e-15);
  EXPECT_NEAR(z3.time.dp_comm_s, 8 * (reduce_scatter + 2 * gather), 1e-15);
}

TEST(Attention, ExecutedShareOfCausalAndSlidingWindow) {
  ModelConfig m = test::synthetic_dense_model();
  EXPECT_EQ(executed_attention_fraction(m, 4, false), 1.0);
  // Causal, s = 4: queries see 1 + 2 + 3 + 4 = 10 of 16 keys.
  EXPECT_DOUBLE_EQ(executed_attention_fraction(m, 4, true), 10.0 / 16);
  // Window 2 on every layer: 1 + 2 + 2 + 2 = 7 of 16; on half the layers: the mean.
  m.sliding_window = 2;
  m.sliding_window_layers = 4;
  EXPECT_DOUBLE_EQ(executed_attention_fraction(m, 4, true), 7.0 / 16);
  m.sliding_window_layers = 2;
  EXPECT_DOUBLE_EQ(executed_attention_fraction(m, 4, true), (7.0 + 10.0) / 32);
  // A window as long as the sequence is plain causal.
  m.sliding_window = 4;
  EXPECT_DOUBLE_EQ(executed_attention_fraction(m, 4, true), 10.0 / 16);
}

TEST(Attention, FusedKernelSkipsTheMaskedHalfInTimeNotInFlopCounts) {
  const ModelConfig m = test::synthetic_dense_model();
  Workload w = workload(m, 1, 1, 2048);
  const TrainResult unfused = eval(w, rates());
  w.train.flash_attention = true;
  const TrainResult fused = eval(w, rates());
  // Megatron's FLOP count (MFU numerator) is unchanged; the GEMM time loses the masked half of QKᵀ
  // and A·V: (1 − 2049/4096) × 3 passes × 4 layers of the attention core, and gains the fused
  // backward's second QKᵀ over the unmasked blocks: 2 · 2048 tokens · 2048 keys · 8 heads · 128 ×
  // 2049/4096 per layer.
  EXPECT_DOUBLE_EQ(fused.time.model_flop_per_step, unfused.time.model_flop_per_step);
  const double skipped = (1 - 2049.0 / 4096) * attention_core_flop(m, 2048, 2048);
  const double recompute = 2.0 * 2048 * 2048 * 8 * 128 * 2049.0 / 4096;
  EXPECT_NEAR(unfused.time.compute_s - fused.time.compute_s, 4 * (3 * skipped - recompute) / kGemm, 1e-15);
}

TEST(Attention, FusedBackwardRecomputesQkTransposeOnly) {
  ModelConfig m = test::synthetic_dense_model();
  const LayerMix all = model_layer_mix(m);
  // Without a fused kernel backward reads the stored probabilities: nothing recomputed.
  EXPECT_EQ(flash_backward_recompute_flop(m, 4, 4, false, all), 0.0);
  // Causal, s = 4, 4 tokens: QKᵀ is 2 · 4 · 4 · 8 heads · 128 = 32768 FLOPs over the full s², of which
  // 10 of 16 blocks run; half of the forward core (QKᵀ and A·V have the same width here).
  EXPECT_DOUBLE_EQ(flash_backward_recompute_flop(m, 4, 4, true, all), 32768.0 * 10 / 16);
  EXPECT_DOUBLE_EQ(flash_backward_recompute_flop(m, 4, 4, true, all),
                   0.5 * attention_core_flop(m, 4, 4) * executed_attention_fraction(m, 4, true));
  // Query/key width 192, value width 128 (MLA-like): the recompute follows the query/key width, 3/5
  // of the core.
  m.head_dim = 192;
  m.v_head_dim = 128;
  EXPECT_DOUBLE_EQ(flash_backward_recompute_flop(m, 4, 4, true, all), 2.0 * 4 * 4 * 8 * 192 * 10 / 16);
  // Sliding window 2 on every layer: 7 of 16 blocks.
  m = test::synthetic_dense_model();
  m.sliding_window = 2;
  m.sliding_window_layers = 4;
  EXPECT_DOUBLE_EQ(flash_backward_recompute_flop(m, 4, 4, true, all), 32768.0 * 7 / 16);
  // Averaged over a mix with one attention layer in four (the others Mamba): a quarter, causal.
  m = test::synthetic_dense_model();
  EXPECT_DOUBLE_EQ(flash_backward_recompute_flop(m, 4, 4, true, LayerMix{4, 1, 3, 4, 0}), 32768.0 * 10 / 16 / 4);
}

}  // namespace
}  // namespace headroom::plan
