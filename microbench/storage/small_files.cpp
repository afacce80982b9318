// storage.small_files: the data-loader pattern of many small dataset shards. Create N files (made
// written out, untimed), then in every repetition drop them from the page cache and read them all back
// in parallel.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <system_error>
#include <thread>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "storage.hpp"

namespace headroom::bench::storage {

namespace {

constexpr std::int64_t kShardBytes = 100 * 1024;  // 100 KiB, a typical image/webdataset sample

class SmallFilesBenchmark final : public Benchmark {
 public:
  explicit SmallFilesBenchmark(std::shared_ptr<Workspace> ws) : ws_(std::move(ws)) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "storage.small_files";
    i.backend = "storage";
    i.description = "Create many small files, then read them back cold in parallel (files/s, bytes/s)";
    i.params = {{"files", "", "number of files"},
                {"file_bytes", "B", "size of each file"},
                {"threads", "threads", "parallel readers"}};
    i.metrics = {{"read_files_per_s", "files/s", core::Better::kHigher, "files opened, read whole and closed per second"},
                 {"read_bytes_per_s", "B/s", core::Better::kHigher, "read_files_per_s x file_bytes"},
                 {"create_files_per_s", "files/s", core::Better::kHigher, "files created, written and closed per second (page cache; not yet durable)"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    std::int64_t files = 0;
    std::vector<std::int64_t> threads;
    if (suite == "quick") {
      files = 128;
      threads = {4};
    } else if (suite == "standard") {
      files = 4096;
      threads = {1, 8};
    } else {
      files = 16384;
      threads = {1, 8, 32};
    }
    std::vector<core::Params> out;
    for (const auto t : threads) out.push_back({{"files", files}, {"file_bytes", kShardBytes}, {"threads", t}});
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t files = param_int(params, "files");
    const std::int64_t file_bytes = param_int(params, "file_bytes");
    const int threads = static_cast<int>(param_int(params, "threads"));
    AlignedBuffer data(file_bytes);
    fill_random(data.data(), file_bytes, 0x5a11);
    std::atomic<std::int64_t> bad_pages{0};
    const auto dir = ws_->dir() / "shards";
    std::filesystem::create_directory(dir);
    auto name = [&dir](std::int64_t i) { return dir / fmt::format("{:07}.bin", i); };
    // Create once (unlinking thousands of files costs more than making them, so the shards are made
    // once per case and read back in every repetition). Each file gets its own stamps (file id =
    // index), so a read of the wrong file fails verification.
    const double t_create = now_s();
    for (std::int64_t i = 0; i < files; ++i) {
      if (ctx.cancelled()) throw core::EnvironmentError("interrupted while creating small files");
      stamp_pages(data.data(), file_bytes, 1000 + static_cast<std::uint64_t>(i), 0);
      File f(name(i), O_WRONLY | O_CREAT | O_EXCL, false);
      write_all(f.fd(), data.data(), file_bytes, 0, name(i).string());
    }
    const std::vector<double> create_s{now_s() - t_create};
    // Write each file's pages out (sync_file_range: data only, no journal commit, so other programs'
    // dirty data on the filesystem is not waited for): clean pages can then be dropped.
    for (std::int64_t i = 0; i < files; ++i) {
      File f(name(i), O_RDONLY, false);
      if (::sync_file_range(f.fd(), 0, 0,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
        throw core::EnvironmentError(fmt::format("sync_file_range of '{}' failed: {}", name(i).string(),
                                                 std::generic_category().message(errno)));
      }
    }
    const auto seconds = sample(ctx, [&] {
      for (std::int64_t i = 0; i < files; ++i) {  // untimed: every repetition reads cold
        File f(name(i), O_RDONLY, false);
        ::posix_fadvise(f.fd(), 0, 0, POSIX_FADV_DONTNEED);
      }
      // Read back in parallel, each reader pulling the next file index.
      std::atomic<std::int64_t> next{0};
      std::vector<std::string> errors(static_cast<std::size_t>(threads));
      auto reader = [&](int t) {
        try {
          AlignedBuffer buf(file_bytes);
          for (;;) {
            const std::int64_t i = next.fetch_add(1);
            if (i >= files || ctx.cancelled()) return;
            File f(name(i), O_RDONLY, false);
            read_all(f.fd(), buf.data(), file_bytes, 0, name(i).string());
            bad_pages += count_bad_stamps(buf.data(), file_bytes, 1000 + static_cast<std::uint64_t>(i), 0);
          }
        } catch (const std::exception& e) {
          errors[static_cast<std::size_t>(t)] = e.what();
          next.store(files);
        }
      };
      const double t0 = now_s();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(reader, t);
      for (auto& th : pool) th.join();
      const double r = now_s() - t0;
      for (const auto& e : errors) {
        if (!e.empty()) throw core::EnvironmentError(e);
      }
      if (ctx.cancelled()) throw core::EnvironmentError("interrupted while reading small files");
      return r;
    });
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    const std::vector<double>& read_s = seconds;
    core::CaseResult r;
    r.samples_s = seconds;
    r.verified = bad_pages.load() == 0;
    if (bad_pages.load() != 0) {  // corrupt data read back: an error, as in storage.checkpoint
      r.status = core::Status::kError;
      r.message = fmt::format("{} pages read back differ from what was written", bad_pages.load());
    }
    ctx.note("buffered I/O; files written out (sync_file_range) and dropped from the page cache (posix_fadvise DONTNEED) before the timed read");
    const auto stat = ctx.policy().statistic;
    const auto n = static_cast<double>(files);
    r.metrics.push_back(throughput_metric("read_files_per_s", "files/s", n, read_s,
                                          fmt::format("{} files read by {} threads / wall time", files, threads), stat));
    r.metrics.push_back(throughput_metric("read_bytes_per_s", "B/s", n * static_cast<double>(file_bytes), read_s,
                                          "files x file_bytes / wall time of the parallel read", stat));
    r.metrics.push_back(throughput_metric("create_files_per_s", "files/s", n, create_s,
                                          "files created, written and closed (not fsynced) / wall time; one pass per case", stat));
    return r;
  }

 private:
  std::shared_ptr<Workspace> ws_;
};

}  // namespace

std::unique_ptr<Benchmark> make_small_files_benchmark(std::shared_ptr<Workspace> ws) {
  return std::make_unique<SmallFilesBenchmark>(std::move(ws));
}

}  // namespace headroom::bench::storage
