// storage.rand_read: random 4 KiB reads over the shared data file at queue depths 1-64 (io_uring,
// psync fallback), IOPS and per-request latency percentiles.
#include <fcntl.h>

#include <fmt/format.h>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/stats.hpp"
#include "storage.hpp"

namespace headroom::bench::storage {

namespace {

struct LatencySpec {
  const char* name;
  double q;
};
constexpr LatencySpec kLatencies[] = {
    {"latency_p50_s", 0.50}, {"latency_p90_s", 0.90}, {"latency_p99_s", 0.99}, {"latency_p99_9_s", 0.999}};

class RandReadBenchmark final : public Benchmark {
 public:
  explicit RandReadBenchmark(std::shared_ptr<Workspace> ws) : ws_(std::move(ws)) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "storage.rand_read";
    i.backend = "storage";
    i.description = "Random reads of the data file (O_DIRECT, io_uring), IOPS and latency per queue depth";
    i.params = {{"file_bytes", "B", "bytes read: the scratch data file, or the first file_bytes of --storage-file"},
                {"block_bytes", "B", "bytes per request"},
                {"queue_depth", "", "requests in flight (io_uring), or threads with one request each (psync)"},
                {"duration_s", "s", "wall time of one repetition"}};
    i.metrics = {{"iops", "IO/s", core::Better::kHigher, "completed requests per second of wall time"},
                 {"bytes_per_s", "B/s", core::Better::kHigher, "iops x block_bytes"}};
    for (const auto& l : kLatencies) {
      i.metrics.push_back({l.name, "s", core::Better::kLower, "percentile of submission-to-completion time"});
    }
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const StorageConfig& c = ws_->config();
    const std::int64_t file = bytes_to_read(c, suite);
    std::vector<int> depths = suite == "quick" ? std::vector<int>{1, 32} : std::vector<int>{1, 2, 4, 8, 16, 32, 64};
    const double duration = suite == "quick" ? 0.05 : suite == "standard" ? 0.5 : 1.0;
    if (c.queue_depth) depths = {*c.queue_depth};
    const std::int64_t block = c.block_bytes.value_or(kPageBytes);
    std::vector<core::Params> out;
    if (block > file) return out;
    for (const int qd : depths) {
      out.push_back({{"file_bytes", file}, {"block_bytes", block}, {"queue_depth", static_cast<std::int64_t>(qd)},
                     {"duration_s", duration}});
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t file = param_int(params, "file_bytes");
    const std::int64_t block = param_int(params, "block_bytes");
    const int qd = static_cast<int>(param_int(params, "queue_depth"));
    const double duration = param_double(params, "duration_s");
    const auto path = ws_->file_to_read(file, ctx);  // --storage-file is only ever opened O_RDONLY
    File f(path, O_RDONLY, true);
    ctx.note(ws_->read_source_note(file));
    ctx.note(cache_note(f.direct(), file));
    std::string why;
    auto engine = make_io_engine(qd, why);
    if (!why.empty()) ctx.note(why);

    std::vector<double> iops;
    std::vector<std::vector<double>> pct(std::size(kLatencies));
    std::uint64_t seed = 0x7a11;
    const auto seconds = sample(ctx, [&] {
      IoJob job;
      job.fd = f.fd();
      job.kind = IoKind::kRead;
      job.block_bytes = block;
      job.queue_depth = qd;
      job.max_ops = std::int64_t{1} << 40;
      job.max_s = duration;
      job.record_latency = true;
      const std::uint64_t s = seed++;
      job.offset = [s, block, file](std::int64_t i) { return random_offset(s, i, block, file); };
      const IoRun run = engine->run(job, nullptr);
      iops.push_back(static_cast<double>(run.ops) / run.seconds);
      for (std::size_t k = 0; k < std::size(kLatencies); ++k) {
        pct[k].push_back(core::percentile(run.latency_s, kLatencies[k].q));
      }
      return run.seconds;
    });
    // sample() ran warm-up calls too: keep the timed repetitions only (the last ones).
    const std::size_t timed = seconds.size();
    auto tail = [timed](const std::vector<double>& v) {
      return std::vector<double>(v.end() - static_cast<std::ptrdiff_t>(timed), v.end());
    };
    const auto stat = ctx.policy().statistic;
    core::CaseResult r;
    r.samples_s = seconds;
    core::Metric m_iops{"iops", "IO/s", core::Better::kHigher, std::nullopt, tail(iops), std::nullopt, "measured",
                        fmt::format("completed {} B requests / wall time of each repetition ({}, QD {})", block,
                                    engine->describe(), qd)};
    core::finalize_metric(m_iops, stat);
    core::Metric m_bw{"bytes_per_s", "B/s", core::Better::kHigher, std::nullopt, {}, std::nullopt, "measured",
                      "iops x block_bytes"};
    for (const double v : m_iops.samples) m_bw.samples.push_back(v * static_cast<double>(block));
    core::finalize_metric(m_bw, stat);
    r.metrics.push_back(std::move(m_iops));
    r.metrics.push_back(std::move(m_bw));
    for (std::size_t k = 0; k < std::size(kLatencies); ++k) {
      core::Metric m{kLatencies[k].name, "s", core::Better::kLower, std::nullopt, tail(pct[k]), std::nullopt,
                     "measured",
                     fmt::format("p{} of submission-to-completion time within each repetition (type 7)",
                                 100.0 * kLatencies[k].q)};
      core::finalize_metric(m, stat);
      r.metrics.push_back(std::move(m));
    }
    return r;
  }

 private:
  std::shared_ptr<Workspace> ws_;
};

}  // namespace

std::unique_ptr<Benchmark> make_rand_read_benchmark(std::shared_ptr<Workspace> ws) {
  return std::make_unique<RandReadBenchmark>(std::move(ws));
}

}  // namespace headroom::bench::storage
