// The shared harness of the MPI collectives: sizes, buffers, the timing loop every rank runs in
// step, verification, algbw/busbw (nccl-tests factors), and the α-β fit case.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/stats.hpp"
#include "mpi_collectives.hpp"

namespace headroom::bench::mpi {

void ensure_initialized() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized != 0) throw core::EnvironmentError("MPI was finalised already in this process");
    return;
  }
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw core::EnvironmentError("MPI_Init_thread failed");
  }
}

int world_size() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized == 0) return 1;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

namespace {
constexpr std::int64_t kFloatBytes = 4;

bool per_rank_split(core::Collective c) {
  return c == core::Collective::kAllGather || c == core::Collective::kReduceScatter;
}
}  // namespace

std::int64_t round_size_bytes(core::Collective c, std::int64_t size_bytes, int ranks) {
  const std::int64_t unit = per_rank_split(c) ? kFloatBytes * ranks : kFloatBytes;
  return size_bytes / unit * unit;
}

Counts element_counts(core::Collective c, std::int64_t size_bytes, int ranks) {
  const std::int64_t total = round_size_bytes(c, size_bytes, ranks) / kFloatBytes;
  switch (c) {
    case core::Collective::kAllGather: return {total / ranks, total};
    case core::Collective::kReduceScatter: return {total, total / ranks};
    default: return {total, total};
  }
}

float input_value(int rank, std::int64_t i) {
  return static_cast<float>((i * 7 + static_cast<std::int64_t>(rank) * 13) % 61 + 1);
}

float expected_value(core::Collective c, int rank, int ranks, std::int64_t i, const Counts& counts) {
  switch (c) {
    case core::Collective::kAllReduce:
    case core::Collective::kReduceScatter: {
      const std::int64_t at = c == core::Collective::kReduceScatter ? rank * counts.recv + i : i;
      float sum = 0;
      for (int r = 0; r < ranks; ++r) sum += input_value(r, at);
      return sum;
    }
    case core::Collective::kAllGather: return input_value(static_cast<int>(i / counts.send), i % counts.send);
    case core::Collective::kBroadcast: return input_value(0, i);
    default: break;
  }
  throw core::InputError("", "collective", "all_reduce, all_gather, reduce_scatter or broadcast");
}

std::vector<std::int64_t> message_sizes(const std::string& suite, std::optional<std::int64_t> min_bytes,
                                        std::optional<std::int64_t> max_bytes) {
  std::int64_t lo = 8;
  std::int64_t hi = suite == "standard" ? (std::int64_t{256} << 20) : (std::int64_t{1} << 30);
  if (suite == "quick" && !min_bytes && !max_bytes) return {8, 64 << 10, 4 << 20};
  if (min_bytes) lo = *min_bytes;
  if (max_bytes) hi = *max_bytes;
  std::vector<std::int64_t> out;
  for (std::int64_t s = lo; s <= hi; s *= 2) out.push_back(s);
  return out;
}

namespace {

/// Median over `v` (a copy is sorted).
double median(std::vector<double> v) { return core::percentile(v, 0.5); }

/// A collective over one rank moves nothing between ranks (MPI_Bcast returns at once, the others
/// copy the rank's own buffer), so its time and "bandwidth" describe no link: such cases are
/// waived, not measured. MPI is not even initialised for them.
void waive_single_rank() {
  if (world_size() >= 2) return;
  throw core::Waived(
      "needs at least 2 ranks: with one rank nothing is communicated. Launch more with mpirun -np N headroom bench "
      "--filter 'mpi.*' (as root add --allow-run-as-root; more ranks than cores need --oversubscribe)");
}

class CollectiveBenchmark final : public Benchmark {
 public:
  CollectiveBenchmark(std::unique_ptr<CollectiveOp> op, std::shared_ptr<SweepLog> log, SizeRange range)
      : op_(std::move(op)), log_(std::move(log)), range_(range) {}

  BenchmarkInfo info() const override {
    const std::string c = core::to_string(op_->kind());
    BenchmarkInfo i;
    i.name = "mpi." + c;
    i.backend = "mpi";
    i.description = fmt::format("MPI {} of float32 over MPI_COMM_WORLD: algbw and busbw (nccl-tests), verified", c);
    i.params = {{"size_bytes", "B", "message size as nccl-tests counts it"}, {"ranks", "", "MPI ranks taking part"}};
    i.metrics = {{"busbw_bytes_per_s", "B/s", core::Better::kHigher, "algbw x nccl-tests bus factor"},
                 {"algbw_bytes_per_s", "B/s", core::Better::kHigher, "size_bytes / time"},
                 {"time_s", "s", core::Better::kLower, "per iteration, max over ranks"}};
    i.all_ranks = true;
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const int n = world_size();
    std::vector<core::Params> out;
    std::int64_t last = -1;
    for (const std::int64_t s : message_sizes(suite, range_.min_bytes, range_.max_bytes)) {
      const std::int64_t b = round_size_bytes(op_->kind(), s, n);
      if (b <= 0 || b == last) continue;
      last = b;
      out.push_back({{"size_bytes", b}, {"ranks", static_cast<std::int64_t>(n)}});
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    waive_single_rank();
    ensure_initialized();
    int rank = 0;
    int n = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    const std::int64_t size = param_int(params, "size_bytes");
    if (param_int(params, "ranks") != n) {
      throw core::EnvironmentError(fmt::format("case planned for {} ranks, but MPI_COMM_WORLD has {}",
                                               param_int(params, "ranks"), n));
    }
    const core::Collective kind = op_->kind();
    const Counts counts = element_counts(kind, size, n);
    std::vector<float> send(static_cast<std::size_t>(counts.send));
    std::vector<float> recv(static_cast<std::size_t>(kind == core::Collective::kBroadcast ? 0 : counts.recv), -1.0f);
    for (std::int64_t i = 0; i < counts.send; ++i) send[static_cast<std::size_t>(i)] = input_value(rank, i);

    // Calibrate (also a warm-up): iterations per sample so that a sample lasts min_time_s,
    // from the slowest rank's time, so every rank runs the same count.
    auto timed = [&](std::int64_t iters) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double t0 = MPI_Wtime();
      for (std::int64_t k = 0; k < iters; ++k) op_->run(send.data(), recv.data(), counts, n);
      return (MPI_Wtime() - t0) / static_cast<double>(iters);
    };
    // The fastest of three single iterations (max over ranks each), so one descheduled iteration
    // does not make every sample a single iteration.
    double one = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 3; ++k) {
      double t = timed(1);
      MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      one = std::min(one, t);
    }
    const auto& policy = ctx.policy();
    const auto inner = static_cast<std::int64_t>(
        std::clamp(std::ceil(policy.min_time_s / std::max(one, 1e-9)), 1.0, static_cast<double>(1 << 20)));
    for (int w = 0; w < policy.warmup; ++w) timed(inner);

    const double start = now_s();
    std::vector<double> times;                 // per sample: max over ranks
    std::vector<std::vector<double>> per_rank(static_cast<std::size_t>(n));
    std::vector<double> gathered(static_cast<std::size_t>(n));
    for (int rep = 0; rep < policy.repetitions; ++rep) {
      double t = timed(inner);
      MPI_Allgather(&t, 1, MPI_DOUBLE, gathered.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
      times.push_back(*std::max_element(gathered.begin(), gathered.end()));
      for (int r = 0; r < n; ++r) per_rank[static_cast<std::size_t>(r)].push_back(gathered[static_cast<std::size_t>(r)]);
      // Rank 0 decides for all whether to go on, so every rank runs the same number of collectives.
      int go_on = (now_s() - start <= policy.max_case_s && !ctx.cancelled()) ? 1 : 0;
      MPI_Bcast(&go_on, 1, MPI_INT, 0, MPI_COMM_WORLD);
      if (go_on == 0 && rep + 1 < policy.repetitions) {
        ctx.note(fmt::format("stopped after {} of {} repetitions (max_case_s or interrupt)", rep + 1,
                             policy.repetitions));
        break;
      }
    }

    // Verify what the last iteration left in every rank's output.
    const std::vector<float>& out = kind == core::Collective::kBroadcast ? send : recv;
    std::int64_t bad = 0;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(out.size()); ++i) {
      if (out[static_cast<std::size_t>(i)] != expected_value(kind, rank, n, i, counts)) ++bad;
    }
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);

    core::CaseResult r;
    r.samples_s = times;
    r.verified = bad == 0;
    r.device = fmt::format("ranks:{}", n);
    if (bad != 0) ctx.note(fmt::format("{} output elements differ from the exact float sums", bad));
    const auto stat = policy.statistic;
    const auto bytes = static_cast<double>(size);
    const double factor = core::busbw_factor(kind, n);
    const std::string timing = fmt::format(
        "per sample: {} back-to-back iteration(s) after a barrier, per-iteration time of the slowest rank", inner);
    r.metrics.push_back(throughput_metric("busbw_bytes_per_s", "B/s", bytes * factor, times,
                                          fmt::format("algbw x {:.4f} (nccl-tests factor for {} ranks)", factor, n),
                                          stat));
    r.metrics.push_back(throughput_metric("algbw_bytes_per_s", "B/s", bytes, times, "size_bytes / time", stat));
    r.metrics.push_back(time_metric("time_s", times, timing, stat));
    std::string ranks_text;
    for (int q = 0; q < std::min(n, 16); ++q) {
      ranks_text += fmt::format("{}r{} {}", q == 0 ? "" : ", ", q,
                                core::format_seconds(median(per_rank[static_cast<std::size_t>(q)])));
    }
    ctx.note(fmt::format("median time per rank: {}{}", ranks_text, n > 16 ? ", ..." : ""));
    log_->points[kind].emplace_back(bytes, median(times));
    return r;
  }

 private:
  std::unique_ptr<CollectiveOp> op_;
  std::shared_ptr<SweepLog> log_;
  SizeRange range_;
};

class AlphaBetaBenchmark final : public Benchmark {
 public:
  AlphaBetaBenchmark(core::Collective c, std::shared_ptr<SweepLog> log, SizeRange range)
      : c_(c), log_(std::move(log)), range_(range) {}

  BenchmarkInfo info() const override {
    const std::string c = core::to_string(c_);
    BenchmarkInfo i;
    i.name = "mpi." + c + ".alpha_beta";
    i.backend = "mpi";
    i.description = fmt::format("Fit t = alpha + bytes/beta over the mpi.{} sizes measured in this run", c);
    i.params = {{"ranks", "", "MPI ranks taking part"}};
    i.metrics = {{"alpha_s", "s", core::Better::kLower, "latency term (intercept)"},
                 {"beta_bytes_per_s", "B/s", core::Better::kHigher, "bandwidth term (1 / slope), algbw convention"},
                 {"r2", "", core::Better::kHigher, "coefficient of determination of the fit"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    if (message_sizes(suite, range_.min_bytes, range_.max_bytes).size() < 2) return {};
    return {{{"ranks", static_cast<std::int64_t>(world_size())}}};
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    (void)params;
    waive_single_rank();  // no sizes were measured on one rank: say why, not "measure two sizes"
    const auto it = log_->points.find(c_);
    const std::string c = core::to_string(c_);
    std::vector<double> bytes;
    std::vector<double> seconds;
    if (it != log_->points.end()) {
      for (const auto& [b, s] : it->second) {
        if (std::find(bytes.begin(), bytes.end(), b) != bytes.end()) continue;
        bytes.push_back(b);
        seconds.push_back(s);
      }
    }
    if (bytes.size() < 2) {
      throw core::Waived(fmt::format("needs mpi.{} measured at two or more message sizes earlier in the same run "
                                     "(e.g. --filter 'mpi.{}*')",
                                     c, c));
    }
    const core::AlphaBeta fit = core::fit_alpha_beta(bytes, seconds);
    const std::string how = fmt::format("least-squares fit of t = alpha + bytes/beta over {} sizes ({} .. {} B), "
                                        "relative error weights",
                                        bytes.size(), *std::min_element(bytes.begin(), bytes.end()),
                                        *std::max_element(bytes.begin(), bytes.end()));
    auto derived = [&](const char* name, const char* unit, core::Better better, std::optional<double> v) {
      core::Metric m;
      m.name = name;
      m.unit = unit;
      m.better = better;
      m.value = v;
      m.provenance = "derived";
      m.note = how;
      return m;
    };
    core::CaseResult r;
    r.metrics.push_back(derived("alpha_s", "s", core::Better::kLower, fit.alpha_s));
    std::optional<double> beta;
    if (std::isfinite(fit.beta_bytes_per_s)) beta = fit.beta_bytes_per_s;
    else ctx.note("time does not grow with size: beta is unbounded (null)");
    r.metrics.push_back(derived("beta_bytes_per_s", "B/s", core::Better::kHigher, beta));
    r.metrics.push_back(derived("r2", "", core::Better::kHigher, fit.r2));
    return r;
  }

 private:
  core::Collective c_;
  std::shared_ptr<SweepLog> log_;
  SizeRange range_;
};

}  // namespace

std::unique_ptr<Benchmark> make_collective_benchmark(std::unique_ptr<CollectiveOp> op, std::shared_ptr<SweepLog> log,
                                                     SizeRange range) {
  return std::make_unique<CollectiveBenchmark>(std::move(op), std::move(log), range);
}

std::unique_ptr<Benchmark> make_alpha_beta_benchmark(core::Collective c, std::shared_ptr<SweepLog> log,
                                                     SizeRange range) {
  return std::make_unique<AlphaBetaBenchmark>(c, std::move(log), range);
}

}  // namespace headroom::bench::mpi
