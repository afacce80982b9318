// storage.checkpoint: the checkpoint pattern of a training job. Write a large file in chunks and
// fsync it (what a checkpoint save must wait for), then read it back cold (O_DIRECT, or after
// posix_fadvise(DONTNEED) where O_DIRECT is refused) and check every page: the restore.
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

constexpr std::int64_t kMiB = 1024 * 1024;

class CheckpointBenchmark final : public Benchmark {
 public:
  explicit CheckpointBenchmark(std::shared_ptr<Workspace> ws) : ws_(std::move(ws)) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "storage.checkpoint";
    i.backend = "storage";
    i.description = "Checkpoint save (chunked write + fsync) and cold restore (read back, verified)";
    i.params = {{"size_bytes", "B", "checkpoint file size"}, {"chunk_bytes", "B", "bytes per write/read call"}};
    i.metrics = {{"write_bytes_per_s", "B/s", core::Better::kHigher, "size_bytes / (create + writes + fsync + close)"},
                 {"read_bytes_per_s", "B/s", core::Better::kHigher, "size_bytes / (open + cold reads + close)"},
                 {"write_s", "s", core::Better::kLower, "time to save the checkpoint durably"},
                 {"read_s", "s", core::Better::kLower, "time to restore the checkpoint"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const std::int64_t size = checkpoint_bytes(ws_->config(), suite);
    const std::int64_t chunk = std::min(size, ws_->config().block_bytes.value_or(suite == "quick" ? 8 * kMiB : 64 * kMiB));
    return {{{"size_bytes", size / chunk * chunk}, {"chunk_bytes", chunk}}};
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t size = param_int(params, "size_bytes");
    const std::int64_t chunk = param_int(params, "chunk_bytes");
    const auto path = ws_->dir() / "checkpoint.bin";
    AlignedBuffer buf(chunk);
    fill_random(buf.data(), chunk, 0xc4ec);
    std::vector<double> write_s;
    std::vector<double> read_s;
    std::int64_t bad_pages = 0;
    bool direct_read = true;
    std::uint64_t file_id = 100;
    const auto fail = [&path](const char* what) {
      return core::EnvironmentError(
          fmt::format("{} of '{}' failed: {}", what, path.string(), std::generic_category().message(errno)));
    };
    const auto seconds = sample(ctx, [&] {
      const std::uint64_t id = file_id++;
      // Save: buffered writes, as frameworks write checkpoints, made durable with fsync.
      double t0 = now_s();
      {
        File f(path, O_WRONLY | O_CREAT | O_TRUNC, false);
        for (std::int64_t off = 0; off < size; off += chunk) {
          if (ctx.cancelled()) throw core::EnvironmentError("interrupted while writing the checkpoint");
          stamp_pages(buf.data(), chunk, id, off / kPageBytes);
          write_all(f.fd(), buf.data(), chunk, off, path.string());
        }
        if (::fsync(f.fd()) != 0) throw fail("fsync");
      }
      const double w = now_s() - t0;
      // Drop what the page cache holds of it (clean after fsync, so DONTNEED drops it); O_DIRECT
      // below bypasses the cache anyway where the filesystem allows.
      {
        File f(path, O_RDONLY, false);
        ::posix_fadvise(f.fd(), 0, 0, POSIX_FADV_DONTNEED);
      }
      // Restore: read back cold and check every page's stamp.
      t0 = now_s();
      {
        File f(path, O_RDONLY, true);
        direct_read = direct_read && f.direct();
        for (std::int64_t off = 0; off < size; off += chunk) {
          if (ctx.cancelled()) throw core::EnvironmentError("interrupted while reading the checkpoint");
          read_all(f.fd(), buf.data(), chunk, off, path.string());
          bad_pages += count_bad_stamps(buf.data(), chunk, id, off / kPageBytes);
        }
      }
      const double r = now_s() - t0;
      std::error_code ec;
      std::filesystem::remove(path, ec);
      write_s.push_back(w);
      read_s.push_back(r);
      return w + r;
    });
    const std::size_t timed = seconds.size();
    write_s.erase(write_s.begin(), write_s.end() - static_cast<std::ptrdiff_t>(timed));
    read_s.erase(read_s.begin(), read_s.end() - static_cast<std::ptrdiff_t>(timed));
    ctx.note(direct_read ? "restore read with O_DIRECT (cold)"
                         : "O_DIRECT refused: restore read buffered after posix_fadvise(DONTNEED); " +
                               cache_note(false, size));
    core::CaseResult r;
    r.samples_s = seconds;
    r.verified = bad_pages == 0;
    if (bad_pages != 0) {
      // Data that does not read back as written is a failed device (or file system), not a slow one:
      // the case is an error, whatever its throughput.
      r.status = core::Status::kError;
      r.message = fmt::format("{} pages read back differ from what was written", bad_pages);
    }
    const auto stat = ctx.policy().statistic;
    const auto bytes = static_cast<double>(size);
    r.metrics.push_back(throughput_metric("write_bytes_per_s", "B/s", bytes, write_s,
                                          "size_bytes / time from create to fsync and close", stat));
    r.metrics.push_back(throughput_metric("read_bytes_per_s", "B/s", bytes, read_s,
                                          "size_bytes / time from open to last read and close", stat));
    r.metrics.push_back(time_metric("write_s", write_s, "create + buffered writes + fsync + close", stat));
    r.metrics.push_back(time_metric("read_s", read_s, "open + cold reads + page check + close", stat));
    return r;
  }

 private:
  std::shared_ptr<Workspace> ws_;
};

}  // namespace

std::unique_ptr<Benchmark> make_checkpoint_benchmark(std::shared_ptr<Workspace> ws) {
  return std::make_unique<CheckpointBenchmark>(std::move(ws));
}

}  // namespace headroom::bench::storage
