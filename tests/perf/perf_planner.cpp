// Planner hot paths: one plan evaluation (target <= 50 µs) and the parallelism search inner loop
// (target >= 1e6 configurations/s on one core). Results are recorded in docs/planner.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <new>

#include "headroom/plan/catalog.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"

namespace {

using namespace headroom::plan;

// Counts heap allocations so the benchmarks can report allocations per evaluation (expected 0).
std::size_t g_allocations = 0;

const Catalog& catalog() {
  static const Catalog c = Catalog::load(std::filesystem::path(HEADROOM_SOURCE_DIR) / "data");
  return c;
}

Workload llama70b_train() {
  Workload w;
  w.model = catalog().model("llama-2-70b");
  w.phase = Phase::kTrain;
  w.par.tp = 8;
  w.par.pp = 4;
  w.par.dp = 32;
  w.par.sequence_parallel = true;
  w.train.global_batch = 1024;
  w.train.seq_len = 4096;
  w.train.micro_batch = 1;
  w.train.tokens = 2e12;
  w.train.zero_stage = 1;
  w.train.recompute = Recompute::kSelective;
  return w;
}

/// H100 datasheet rates, or (curve = true) the same with a bf16 GEMM curve of the standard suite's 11
/// cuda.gemm shapes (5 squares 1024–16384, 6 Llama 3 shapes). The curve's rates are synthetic: this
/// measures the planner's speed with a curve to interpolate, not any GPU.
Rates h100_rates(bool curve) {
  HardwareProfile p = catalog().gpu("H100");
  if (curve) {
    GemmCurve& c = p.gemm_curve(Precision::kBf16);
    c.source = "synthetic (planner speed benchmark only)";
    c.as_of = "2026-11-22";
    const std::int64_t shapes[][3] = {{1024, 1024, 1024},  {2048, 2048, 2048},  {4096, 4096, 4096}, {8192, 8192, 8192},
                                      {16384, 16384, 16384}, {8192, 6144, 4096}, {8192, 4096, 4096}, {8192, 14336, 4096},
                                      {8192, 4096, 14336}, {8192, 28672, 8192}, {8192, 8192, 28672}};
    double rate = 400e12;
    for (const auto& s : shapes) c.points.push_back({s[0], s[1], s[2], rate += 30e12});
  }
  return resolve_rates(p, Precision::kBf16, Assumptions{});
}

void evaluate_train_with(benchmark::State& state, const Workload& w, const Rates& r) {
  const ParamCounts pc = count_params(w.model);
  const Assumptions a;
  const std::size_t before = g_allocations;
  for (auto _ : state) {
    TrainResult res = evaluate_train(w, pc, r, a);
    benchmark::DoNotOptimize(res);
  }
  state.counters["allocs_per_eval"] =
      static_cast<double>(g_allocations - before) / static_cast<double>(state.iterations());
}

void BM_EvaluateTrain(benchmark::State& state) {
  evaluate_train_with(state, llama70b_train(), h100_rates(false));
}
// With a measured GEMM curve: each evaluation looks up the rate of every kind of GEMM by its size.
void BM_EvaluateTrainCurve(benchmark::State& state) {
  evaluate_train_with(state, llama70b_train(), h100_rates(true));
}

// A pipeline whose stages hold different layers (DeepSeek-V3's 3 dense layers on the first of 16
// stages, EP 64): every stage evaluated with its own layers.
void BM_EvaluateTrainStages(benchmark::State& state) {
  Workload w = llama70b_train();
  w.model = catalog().model("deepseek-v3");
  w.par.tp = 1;
  w.par.pp = 16;
  w.par.dp = 64;
  w.par.ep = 64;
  w.par.first_stage_layers = 4;
  w.par.last_stage_layers = 1;
  evaluate_train_with(state, w, h100_rates(false));
}

void BM_EvaluateInfer(benchmark::State& state) {
  Workload w;
  w.model = catalog().model("llama-3-70b");
  w.phase = Phase::kInfer;
  w.par.tp = 4;
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  w.infer.tpot_slo_s = 0.03;
  const ParamCounts pc = count_params(w.model);
  const Assumptions a;
  const Rates r = resolve_rates(catalog().gpu("H100"), Precision::kBf16, a);
  const std::size_t before = g_allocations;
  for (auto _ : state) {
    InferResult res = evaluate_infer(w, pc, r, a);
    benchmark::DoNotOptimize(res);
  }
  state.counters["allocs_per_eval"] =
      static_cast<double>(g_allocations - before) / static_cast<double>(state.iterations());
}

/// Times whole searches of `w` over state.range(0) GPUs; reports configurations per second.
void run_search(benchmark::State& state, const Workload& w, const Rates& r = h100_rates(false)) {
  const ParamCounts pc = count_params(w.model);
  const Assumptions a;
  SearchOptions o;
  o.gpus = static_cast<int>(state.range(0));
  std::uint64_t evaluated = 0;
  for (auto _ : state) {
    SearchResult res = search_train(w, pc, r, a, o);
    evaluated += res.evaluated;
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(evaluated));
  state.counters["configs_per_search"] = static_cast<double>(evaluated) / static_cast<double>(state.iterations());
  state.counters["configs_per_s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
}

void BM_SearchTrain(benchmark::State& state) {
  run_search(state, llama70b_train());
}

// MoE: the search also enumerates expert-parallel degrees (Mixtral 8x7B, 4096-token sequences).
void BM_SearchTrainMoe(benchmark::State& state) {
  Workload w = llama70b_train();
  w.model = catalog().model("mixtral-8x7b");
  run_search(state, w);
}

// Hybrid: Nemotron-H 8B's stages each hold their own Mamba, attention and MLP layers.
void BM_SearchTrainHybrid(benchmark::State& state) {
  Workload w = llama70b_train();
  w.model = catalog().model("nemotron-h-8b");
  run_search(state, w);
}

void BM_SearchTrainCurve(benchmark::State& state) {
  run_search(state, llama70b_train(), h100_rates(true));
}

void BM_CountParams(benchmark::State& state) {
  const ModelConfig& m = catalog().model("llama-3.1-405b");
  for (auto _ : state) {
    ParamCounts c = count_params(m);
    benchmark::DoNotOptimize(c);
  }
}

}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("plan/evaluate_train", BM_EvaluateTrain);
  benchmark::RegisterBenchmark("plan/evaluate_train_gemm_curve", BM_EvaluateTrainCurve);
  benchmark::RegisterBenchmark("plan/evaluate_train_stages", BM_EvaluateTrainStages);
  benchmark::RegisterBenchmark("plan/evaluate_infer", BM_EvaluateInfer);
  benchmark::RegisterBenchmark("plan/search_train", BM_SearchTrain)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("plan/search_train_moe", BM_SearchTrainMoe)->Arg(64)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("plan/search_train_hybrid", BM_SearchTrainHybrid)->Arg(64)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("plan/search_train_gemm_curve", BM_SearchTrainCurve)->Arg(1024)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("plan/count_params", BM_CountParams);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
