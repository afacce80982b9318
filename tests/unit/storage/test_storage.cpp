// Storage backend: option parsing, the free-space check, stamps, offsets, both I/O engines, the
// workspace's clean-up (also when interrupted) and every storage case run for real on a small file.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "headroom/bench/backends.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/core/errors.hpp"
#include "storage.hpp"

namespace fs = std::filesystem;
using namespace headroom;
using namespace headroom::bench;
using namespace headroom::bench::storage;

namespace {

/// A fresh empty directory for one test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "headroom-test-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  bool empty() const { return fs::is_empty(path_); }

 private:
  fs::path path_;
};

BackendOptions opts(const fs::path& dir, std::string size = "16MiB") {
  BackendOptions o;
  o.storage_dir = dir.string();
  o.storage_size = std::move(size);
  return o;
}

std::string input_error_path(const BackendOptions& o) {
  try {
    (void)parse_storage_config(o);
  } catch (const core::InputError& e) {
    return e.json_path();
  }
  return "no error";
}

}  // namespace

TEST(StorageConfig, ParsesSizesAndDepth) {
  BackendOptions o;
  o.storage_size = "64MiB";
  o.block_size = "1M";
  o.queue_depth = "32";
  const auto c = parse_storage_config(o);
  EXPECT_EQ(*c.file_bytes, 64 << 20);
  EXPECT_EQ(*c.block_bytes, 1 << 20);
  EXPECT_EQ(*c.queue_depth, 32);
  EXPECT_EQ(data_file_bytes(c, "quick"), 64 << 20);
  EXPECT_EQ(checkpoint_bytes(c, "standard"), 64 << 20);
}

TEST(StorageConfig, SuiteDefaults) {
  const StorageConfig c;
  EXPECT_EQ(data_file_bytes(c, "quick"), 256 << 20);
  EXPECT_EQ(data_file_bytes(c, "standard"), std::int64_t{4} << 30);
  EXPECT_GE(data_file_bytes(c, "full"), 2 * ram_bytes());  // defeats the page cache even buffered
  EXPECT_EQ(checkpoint_bytes(c, "quick"), 64 << 20);
}

TEST(StorageConfig, BadValuesNameTheFlag) {
  BackendOptions o;
  o.storage_size = "12XB";
  EXPECT_EQ(input_error_path(o), "--storage-size");
  o.storage_size = "1MiB";  // below 16 MiB
  EXPECT_EQ(input_error_path(o), "--storage-size");
  o = {};
  o.queue_depth = "0";
  EXPECT_EQ(input_error_path(o), "--queue-depth");
  o.queue_depth = "4x";
  EXPECT_EQ(input_error_path(o), "--queue-depth");
  o = {};
  o.block_size = "1000";  // not 4 KiB aligned
  EXPECT_EQ(input_error_path(o), "--block-size");
}

TEST(StorageReady, MissingDirectoryIsInputError) {
  auto o = opts("/nonexistent/headroom-storage-test");
  EXPECT_THROW(check_storage_ready(o, "quick", "storage.*"), core::InputError);
  // Not selected: nothing is checked.
  EXPECT_NO_THROW(check_storage_ready(o, "quick", "cpu.*"));
}

TEST(StorageReady, FileInsteadOfDirectoryIsInputError) {
  TempDir d;
  std::ofstream(d.path() / "file") << "x";
  EXPECT_THROW(check_storage_ready(opts(d.path() / "file"), "quick", "storage.*"), core::InputError);
}

TEST(StorageReady, ShortSpaceIsEnvironmentErrorAndWritesNothing) {
  TempDir d;
  const std::int64_t free_b = free_bytes(d.path());
  auto o = opts(d.path(), std::to_string(free_b / 4096 * 4096 + (std::int64_t{1} << 30)));
  try {
    check_storage_ready(o, "quick", "storage.seq_read");
    FAIL() << "expected EnvironmentError";
  } catch (const core::EnvironmentError& e) {
    EXPECT_NE(std::string(e.what()).find("not enough free space"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(d.empty());
  EXPECT_NO_THROW(check_storage_ready(opts(d.path()), "quick", "storage.*"));
  EXPECT_TRUE(d.empty());
}

TEST(StorageSpace, NeedPerCase) {
  const StorageConfig c;
  EXPECT_EQ(space_need("storage.rand_read", {{"file_bytes", std::int64_t{1000}}}, c).data_file_bytes, 1000);
  EXPECT_EQ(space_need("storage.checkpoint", {{"size_bytes", std::int64_t{5000}}}, c).private_bytes, 5000);
  EXPECT_EQ(space_need("storage.small_files", {{"files", std::int64_t{10}}, {"file_bytes", std::int64_t{100}}}, c)
                .private_bytes,
            10 * (100 + 4096));
  // Reads of --storage-file write nothing; the write case still writes its scratch file.
  StorageConfig u;
  u.read_file = "/some/file";
  const core::Params p{{"file_bytes", std::int64_t{1000}}};
  EXPECT_EQ(space_need("storage.rand_read", p, u).data_file_bytes, 0);
  EXPECT_EQ(space_need("storage.seq_read", p, u).data_file_bytes, 0);
  EXPECT_EQ(space_need("storage.seq_write", p, u).data_file_bytes, 1000);
}

// --- --storage-file: an existing file the read cases read and never change ----------------------

namespace {

/// Writes `bytes` pseudo-random bytes to `path`.
void write_file(const fs::path& path, std::int64_t bytes) {
  std::vector<unsigned char> data(static_cast<std::size_t>(bytes));
  fill_random(data.data(), bytes, 11);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), bytes);
}

std::string file_contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

BackendOptions file_opts(const fs::path& file, std::string size = "") {
  BackendOptions o;
  o.storage_file = file.string();
  o.storage_size = std::move(size);
  return o;
}

/// Runs the quick suite's cases matching `filter` with 2 repetitions and no warm-up, then calls
/// `while_registered` while the registry (and with it the storage workspace) still exists; both
/// are gone when this returns.
core::Results run_quick(const BackendOptions& o, const std::string& filter,
                        const std::function<void()>& while_registered) {
  Registry reg;
  register_storage(reg, o);
  RunOptions ro;
  ro.policy = core::policy_for_suite("quick");
  ro.policy.repetitions = 2;
  ro.policy.warmup = 0;
  ro.filter = filter;
  Sink sink;
  core::Results r = run_benchmarks(reg, ro, sink, nullptr);
  while_registered();
  return r;
}

}  // namespace

TEST(StorageFile, BadFilesAreInputErrorsNamingTheFlag) {
  TempDir d;
  EXPECT_EQ(input_error_path(file_opts(d.path() / "missing")), "--storage-file");
  EXPECT_EQ(input_error_path(file_opts(d.path())), "--storage-file");  // a directory
  write_file(d.path() / "small", 1 << 20);                             // under 16 MiB
  EXPECT_EQ(input_error_path(file_opts(d.path() / "small")), "--storage-file");
  write_file(d.path() / "f", (16 << 20) + 100);
  EXPECT_EQ(input_error_path(file_opts(d.path() / "f", "32MiB")), "--storage-file");  // smaller than --storage-size
  EXPECT_EQ(input_error_path(file_opts(d.path() / "f")), "no error");
  // The message names the path and what was expected.
  try {
    (void)parse_storage_config(file_opts(d.path() / "small"));
    FAIL() << "expected InputError";
  } catch (const core::InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find((d.path() / "small").string()), std::string::npos) << what;
    EXPECT_NE(what.find("16"), std::string::npos) << what;
  }
}

TEST(StorageFile, ReadSizeIsTheFileOrStorageSize) {
  TempDir d;
  write_file(d.path() / "f", (16 << 20) + 100);
  auto c = parse_storage_config(file_opts(d.path() / "f"));
  EXPECT_EQ(c.read_file_bytes, (16 << 20) + 100);
  EXPECT_EQ(bytes_to_read(c, "standard"), 16 << 20);                 // rounded down to 4 KiB
  EXPECT_EQ(data_file_bytes(c, "standard"), std::int64_t{4} << 30);  // the write case keeps its own size
  write_file(d.path() / "g", 40 << 20);
  c = parse_storage_config(file_opts(d.path() / "g", "20MiB"));
  EXPECT_EQ(bytes_to_read(c, "quick"), 20 << 20);
}

TEST(StorageFile, ReadCasesLeaveTheFileAsItWasAndWriteNothing) {
  TempDir src;
  TempDir scratch;
  const fs::path file = src.path() / "existing.bin";
  write_file(file, (16 << 20) + 4096 + 17);
  const std::string before = file_contents(file);
  const auto mtime = fs::last_write_time(file);
  auto o = file_opts(file);
  o.storage_dir = scratch.path().string();
  o.queue_depth = "4";
  o.block_size = "64KiB";
  // Only reads are selected: nothing to write, so neither the directory nor free space is checked.
  BackendOptions missing_dir = o;
  missing_dir.storage_dir = "/nonexistent/headroom-storage-test";
  EXPECT_NO_THROW(check_storage_ready(missing_dir, "quick", "storage.*_read"));
  EXPECT_THROW(check_storage_ready(missing_dir, "quick", "storage.*"), core::InputError);  // writes too
  const core::Results r = run_quick(o, "storage.*_read", [&] {
    EXPECT_TRUE(scratch.empty());  // no scratch file was made for the reads
  });
  std::set<std::string> names;
  for (const auto& c : r.cases) names.insert(c.name);
  EXPECT_EQ(names, (std::set<std::string>{"storage.seq_read", "storage.rand_read"}));
  ASSERT_EQ(r.cases.size(), 2u);  // one block size and one queue depth each
  for (const auto& c : r.cases) {
    EXPECT_EQ(c.status, core::Status::kPassed) << c.name << ": " << c.message;
    EXPECT_EQ(bench::param_int(c.params, "file_bytes"), (16 << 20) + 4096) << c.name;  // whole pages only
    EXPECT_NE(c.message.find("--storage-file"), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(file.string()), std::string::npos) << c.message;
  }
  ASSERT_TRUE(fs::is_regular_file(file));
  EXPECT_EQ(fs::last_write_time(file), mtime);
  EXPECT_TRUE(file_contents(file) == before) << "the --storage-file changed";
  EXPECT_TRUE(scratch.empty());
}

TEST(Stamps, DetectEveryWrongPage) {
  AlignedBuffer b(4 * kPageBytes);
  fill_random(b.data(), b.size(), 7);
  stamp_pages(b.data(), b.size(), 42, 10);
  EXPECT_EQ(count_bad_stamps(b.data(), b.size(), 42, 10), 0);
  EXPECT_EQ(count_bad_stamps(b.data(), b.size(), 42, 11), 4);  // shifted by one page: all wrong
  EXPECT_EQ(count_bad_stamps(b.data(), b.size(), 43, 10), 4);  // another file
  b.data()[2 * kPageBytes + 3] ^= 0xff;
  EXPECT_EQ(count_bad_stamps(b.data(), b.size(), 42, 10), 1);
}

TEST(Offsets, SequentialWrapsAndRandomStaysAligned) {
  EXPECT_EQ(sequential_offset(0, 0, 4096, 16384), 0);
  EXPECT_EQ(sequential_offset(0, 3, 4096, 16384), 12288);
  EXPECT_EQ(sequential_offset(8192, 2, 4096, 16384), 0);  // wraps
  for (std::int64_t i = 0; i < 1000; ++i) {
    const std::int64_t off = random_offset(9, i, 4096, 1 << 20);
    EXPECT_EQ(off % 4096, 0);
    EXPECT_GE(off, 0);
    EXPECT_LT(off, 1 << 20);
    EXPECT_EQ(off, random_offset(9, i, 4096, 1 << 20));  // reproducible
  }
}

/// Both engines write a file at queue depth 4 and read it back; the content must be exact.
void engine_round_trip(IoEngine& engine) {
  TempDir d;
  const auto path = d.path() / "f.bin";
  const std::int64_t block = 64 * 1024;
  const std::int64_t blocks = 32;
  {
    File f(path, O_WRONLY | O_CREAT | O_TRUNC, true);
    AlignedBuffer data(block);
    fill_random(data.data(), block, 3);
    IoJob job;
    job.fd = f.fd();
    job.kind = IoKind::kWrite;
    job.block_bytes = block;
    job.queue_depth = 4;
    job.max_ops = blocks;
    job.offset = [block](std::int64_t i) { return i * block; };
    const IoRun run = engine.run(job, data.data());
    EXPECT_EQ(run.ops, blocks);
  }
  EXPECT_EQ(static_cast<std::int64_t>(fs::file_size(path)), block * blocks);
  File f(path, O_RDONLY, true);
  IoJob job;
  job.fd = f.fd();
  job.block_bytes = block;
  job.queue_depth = 4;
  job.max_ops = 100;
  job.record_latency = true;
  job.offset = [block, blocks](std::int64_t i) { return random_offset(1, i, block, block * blocks); };
  const IoRun run = engine.run(job, nullptr);
  EXPECT_EQ(run.ops, 100);
  ASSERT_EQ(run.latency_s.size(), 100u);
  for (const double l : run.latency_s) EXPECT_GT(l, 0.0);
  EXPECT_GT(run.seconds, 0.0);
  // Reading past the end is a short read: an EnvironmentError, not a silent success.
  job.offset = [block, blocks](std::int64_t) { return block * blocks; };
  EXPECT_THROW(engine.run(job, nullptr), core::EnvironmentError);
}

/// A time-limited job stops issuing after max_s and drains what is in flight.
void engine_time_limit(IoEngine& engine) {
  TempDir d;
  const auto path = d.path() / "f.bin";
  const std::int64_t block = 4096;
  const std::int64_t file = 1 << 20;
  {
    std::vector<unsigned char> data(static_cast<std::size_t>(file), 1);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), file);
  }
  File f(path, O_RDONLY, true);
  IoJob job;
  job.fd = f.fd();
  job.block_bytes = block;
  job.queue_depth = 8;
  job.max_ops = std::int64_t{1} << 40;
  job.max_s = 0.05;
  job.record_latency = true;
  job.offset = [block, file](std::int64_t i) { return random_offset(5, i, block, file); };
  const IoRun run = engine.run(job, nullptr);
  EXPECT_GT(run.ops, 0);
  EXPECT_GE(run.seconds, 0.05);
  EXPECT_LT(run.seconds, 2.0);
  EXPECT_EQ(static_cast<std::int64_t>(run.latency_s.size()), run.ops);  // one latency per completed request
}

TEST(IoEngine, PsyncRoundTrip) {
  auto e = make_psync_engine();
  EXPECT_EQ(e->name(), "psync");
  engine_round_trip(*e);
}

TEST(IoEngine, BestEngineRoundTrip) {
  std::string why;
  auto e = make_io_engine(4, why);
#ifdef HEADROOM_HAVE_IOURING
  if (why.empty()) {
    EXPECT_EQ(e->name(), "io_uring");
    EXPECT_NE(e->describe().find("one request per submission"), std::string::npos) << e->describe();
  }
#endif
  engine_round_trip(*e);
}

TEST(IoEngine, TimeLimitStopsBothEngines) {
  auto p = make_psync_engine();
  engine_time_limit(*p);
  std::string why;
  auto e = make_io_engine(8, why);
  engine_time_limit(*e);
}

TEST(Workspace, RemovesEverythingItMade) {
  TempDir d;
  fs::path made;
  {
    Workspace ws(parse_storage_config(opts(d.path())));
    RunContext ctx(core::policy_for_suite("quick"), nullptr);
    const auto f = ws.data_file(16 << 20, ctx);
    EXPECT_EQ(fs::file_size(f), std::uintmax_t{16} << 20);
    made = ws.dir();
    EXPECT_EQ(made.parent_path(), d.path());
    EXPECT_EQ(made.filename().string().rfind("headroom-storage-", 0), 0u);
  }
  EXPECT_FALSE(fs::exists(made));
  EXPECT_TRUE(d.empty());
}

TEST(Workspace, InterruptedCreationLeavesNothing) {
  TempDir d;
  std::atomic<bool> cancel{true};
  {
    Workspace ws(parse_storage_config(opts(d.path())));
    RunContext ctx(core::policy_for_suite("quick"), &cancel);
    EXPECT_THROW(ws.data_file(16 << 20, ctx), core::EnvironmentError);
  }
  EXPECT_TRUE(d.empty());
}

TEST(StorageCases, AllRunPassVerifyAndCleanUp) {
  TempDir d;
  auto o = opts(d.path());
  o.queue_depth = "4";
  const core::Results r = run_quick(o, "storage.*", [&] {
    EXPECT_FALSE(d.empty());  // the workspace lives as long as the registry
  });
  EXPECT_TRUE(d.empty());
  std::set<std::string> names;
  for (const auto& c : r.cases) {
    names.insert(c.name);
    EXPECT_EQ(c.status, core::Status::kPassed) << c.name << ": " << c.message;
    ASSERT_FALSE(c.metrics.empty()) << c.name;
    ASSERT_TRUE(c.metrics.front().value.has_value());
    EXPECT_GT(*c.metrics.front().value, 0.0) << c.name;
    EXPECT_EQ(c.metrics.front().samples.size(), 2u) << c.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"storage.seq_read", "storage.seq_write", "storage.rand_read",
                                          "storage.checkpoint", "storage.small_files"}));
  for (const auto& c : r.cases) {
    if (c.name == "storage.checkpoint" || c.name == "storage.small_files") {
      ASSERT_TRUE(c.verified.has_value());
      EXPECT_TRUE(*c.verified) << c.name;
    }
    if (c.name == "storage.rand_read") {
      const double p50 = *c.metric("latency_p50_s")->value;
      const double p99 = *c.metric("latency_p99_s")->value;
      EXPECT_GT(p50, 0.0);
      EXPECT_LE(p50, p99);
      // bytes_per_s is exactly iops x 4 KiB in every repetition.
      const auto& iops = c.metric("iops")->samples;
      const auto& bw = c.metric("bytes_per_s")->samples;
      ASSERT_EQ(iops.size(), bw.size());
      for (std::size_t i = 0; i < iops.size(); ++i) EXPECT_DOUBLE_EQ(bw[i], iops[i] * 4096.0);
    }
    if (c.name == "storage.seq_read") {
      // iops x block = bytes/s.
      EXPECT_NEAR(*c.metric("iops")->value * (1 << 20), *c.metric("bytes_per_s")->value,
                  1e-6 * *c.metric("bytes_per_s")->value);
    }
  }
}
