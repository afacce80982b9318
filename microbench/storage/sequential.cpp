// storage.seq_read and storage.seq_write: large sequential transfers over the shared data file,
// swept over block size and queue depth, through O_DIRECT where the filesystem accepts it.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <system_error>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "storage.hpp"

namespace headroom::bench::storage {

namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;

class SequentialBenchmark final : public Benchmark {
 public:
  SequentialBenchmark(std::shared_ptr<Workspace> ws, IoKind kind) : ws_(std::move(ws)), kind_(kind) {}

  BenchmarkInfo info() const override {
    const bool read = kind_ == IoKind::kRead;
    BenchmarkInfo i;
    i.name = read ? "storage.seq_read" : "storage.seq_write";
    i.backend = "storage";
    i.description = read ? "Sequential read of the data file (O_DIRECT, io_uring), block size x queue depth"
                         : "Sequential overwrite of the data file (O_DIRECT, io_uring), block size x queue depth";
    i.params = {{"file_bytes", "B",
                 read ? "bytes read from: the scratch data file, or the first file_bytes of --storage-file"
                      : "size of the data file in the scratch directory"},
                {"size_bytes", "B", "bytes transferred per repetition (successive repetitions continue through the file)"},
                {"block_bytes", "B", "bytes per request"},
                {"queue_depth", "", "requests in flight (io_uring), or threads with one request each (psync)"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher, "payload bytes per second of wall time"},
                 {"iops", "IO/s", core::Better::kHigher, "requests of block_bytes per second"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const StorageConfig& c = ws_->config();
    const std::int64_t file = kind_ == IoKind::kRead ? bytes_to_read(c, suite) : data_file_bytes(c, suite);
    std::vector<std::int64_t> blocks;
    std::vector<int> depths;
    std::int64_t per_rep = 0;
    if (suite == "quick") {
      blocks = {1 * kMiB};
      depths = kind_ == IoKind::kRead ? std::vector<int>{1, 16} : std::vector<int>{16};
      per_rep = 64 * kMiB;
    } else if (suite == "standard") {
      blocks = {128 * kKiB, 1 * kMiB, 4 * kMiB};
      depths = {1, 8, 32};
      per_rep = 512 * kMiB;
    } else {
      blocks = {64 * kKiB, 128 * kKiB, 1 * kMiB, 4 * kMiB, 16 * kMiB};
      depths = {1, 4, 16, 64};
      per_rep = 2048 * kMiB;
    }
    if (c.block_bytes) blocks = {*c.block_bytes};
    if (c.queue_depth) depths = {*c.queue_depth};
    std::vector<core::Params> out;
    for (const std::int64_t b : blocks) {
      if (b > file) continue;
      const std::int64_t size = std::max(b, std::min(per_rep, file) / b * b);
      for (const int qd : depths) {
        out.push_back({{"file_bytes", file}, {"size_bytes", size}, {"block_bytes", b},
                       {"queue_depth", static_cast<std::int64_t>(qd)}});
      }
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t file = param_int(params, "file_bytes");
    const std::int64_t size = param_int(params, "size_bytes");
    const std::int64_t block = param_int(params, "block_bytes");
    const int qd = static_cast<int>(param_int(params, "queue_depth"));
    // Reads may target the user's --storage-file: that path is only ever opened O_RDONLY.
    const auto path = kind_ == IoKind::kRead ? ws_->file_to_read(file, ctx) : ws_->data_file(file, ctx);
    File f(path, kind_ == IoKind::kRead ? O_RDONLY : O_WRONLY, true);
    if (kind_ == IoKind::kRead) ctx.note(ws_->read_source_note(file));
    ctx.note(cache_note(f.direct(), file));
    std::string why;
    auto engine = make_io_engine(qd, why);
    if (!why.empty()) ctx.note(why);
    AlignedBuffer data;
    if (kind_ == IoKind::kWrite) {
      data = AlignedBuffer(block);
      fill_random(data.data(), block, 0xda7a);
      ctx.note(f.direct() ? "O_DIRECT writes timed without a final fsync (as fio --direct=1)"
                          : "buffered writes timed up to and including fdatasync");
    }
    std::int64_t rep = 0;
    const std::int64_t ops = size / block;
    const auto seconds = sample(ctx, [&] {
      const std::int64_t start = (rep++ * size) % file;
      IoJob job;
      job.fd = f.fd();
      job.kind = kind_;
      job.block_bytes = block;
      job.queue_depth = qd;
      job.max_ops = ops;
      job.offset = [start, block, file](std::int64_t i) { return sequential_offset(start, i, block, file); };
      const double t0 = now_s();
      engine->run(job, data.data());
      if (kind_ == IoKind::kWrite && !f.direct() && ::fdatasync(f.fd()) != 0) {
        throw core::EnvironmentError(fmt::format("fdatasync of '{}' failed: {}", path.string(),
                                                 std::generic_category().message(errno)));
      }
      return now_s() - t0;
    });
    core::CaseResult r;
    r.samples_s = seconds;
    const auto stat = ctx.policy().statistic;
    const double bytes = static_cast<double>(ops * block);
    r.metrics.push_back(throughput_metric("bytes_per_s", "B/s", bytes, seconds,
                                          fmt::format("{} payload bytes per repetition / wall time ({})",
                                                      ops * block, engine->describe()),
                                          stat));
    r.metrics.push_back(throughput_metric("iops", "IO/s", static_cast<double>(ops), seconds,
                                          fmt::format("{} requests of {} B per repetition / wall time", ops, block),
                                          stat));
    return r;
  }

 private:
  std::shared_ptr<Workspace> ws_;
  IoKind kind_;
};

}  // namespace

std::unique_ptr<Benchmark> make_seq_benchmark(std::shared_ptr<Workspace> ws, IoKind kind) {
  return std::make_unique<SequentialBenchmark>(std::move(ws), kind);
}

}  // namespace headroom::bench::storage
