#pragma once
/// Internal interface of the storage backend: the scratch workspace every storage case writes into,
/// the I/O engines (io_uring, psync), file helpers and the benchmark factories register_storage()
/// lists. Not a public header of headroom::bench; liburing stays inside io_engine.cpp.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "headroom/bench/backends.hpp"
#include "headroom/bench/benchmark.hpp"

namespace headroom::bench::storage {

inline constexpr std::int64_t kPageBytes = 4096;  ///< alignment of O_DIRECT buffers, offsets, sizes

// --- options --------------------------------------------------------------------------------------

/// The storage flags of BackendOptions, parsed and checked.
struct StorageConfig {
  std::filesystem::path base_dir;             ///< where the scratch directory is made
  bool user_dir = false;                      ///< base_dir came from --storage-dir
  std::optional<std::int64_t> file_bytes;     ///< --storage-size: data and checkpoint file size
  std::optional<std::int64_t> block_bytes;    ///< --block-size: the only block size of the sweeps
  std::optional<int> queue_depth;             ///< --queue-depth: the only queue depth of the sweeps
  /// --storage-file: an existing file that seq_read and rand_read read instead of a scratch file.
  /// Only ever opened O_RDONLY: never written, truncated or removed. Empty: the scratch data file.
  std::filesystem::path read_file;
  std::int64_t read_file_bytes = 0;           ///< size of read_file when parsed, bytes
};

/// Parses --storage-dir, --storage-size, --block-size, --queue-depth, --storage-file. Bad values
/// are a core::InputError naming the flag; so is a --storage-file that does not exist, is not a
/// regular file, is under 16 MiB or is smaller than --storage-size. The directory is not checked
/// here (see check_storage_dir).
StorageConfig parse_storage_config(const BackendOptions& options);
/// A directory that does not exist or is no directory is a core::InputError (--storage-dir); an
/// unwritable or read-only one a core::EnvironmentError. Creates nothing.
void check_storage_dir(const StorageConfig& config);

/// Free bytes an unprivileged user may write under `dir` (statvfs f_bavail · f_frsize).
std::int64_t free_bytes(const std::filesystem::path& dir);
/// Physical memory in bytes (sysconf), 0 when unknown.
std::int64_t ram_bytes();

/// Size of the shared data file for a suite: quick 256 MiB, standard 4 GiB, full 2 × RAM (so even
/// buffered reads cannot be served from the page cache), overridden by --storage-size.
std::int64_t data_file_bytes(const StorageConfig& config, const std::string& suite);
/// Bytes the read cases (seq_read, rand_read) read from: with --storage-file, --storage-size or else
/// the file's size rounded down to 4 KiB; otherwise data_file_bytes().
std::int64_t bytes_to_read(const StorageConfig& config, const std::string& suite);
/// Size of the checkpoint file for a suite: quick 64 MiB, standard 2 GiB, full 16 GiB.
std::int64_t checkpoint_bytes(const StorageConfig& config, const std::string& suite);

// --- workspace ------------------------------------------------------------------------------------

/// The scratch directory of one run, shared by all storage cases. Made lazily (mkdtemp, a fresh
/// `headroom-storage-XXXXXX` inside base_dir, so no existing file is ever touched) and removed with
/// everything in it when the workspace is destroyed: the registry owns it, so the directory goes when
/// the run ends, fails or is interrupted with Ctrl-C.
class Workspace {
 public:
  explicit Workspace(StorageConfig config) : config_(std::move(config)) {}
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const StorageConfig& config() const { return config_; }
  /// The scratch directory, made on first use. EnvironmentError when it cannot be made.
  const std::filesystem::path& dir();
  /// Path of the shared data file, created (filled with stamped pseudo-random pages, through
  /// O_DIRECT where possible) on first use or when its size differs. Stops early and throws when
  /// ctx is cancelled.
  std::filesystem::path data_file(std::int64_t file_bytes, RunContext& ctx);
  /// The file the read cases read: --storage-file as given (nothing is created; the caller must
  /// open it O_RDONLY), else data_file(file_bytes, ctx).
  std::filesystem::path file_to_read(std::int64_t file_bytes, RunContext& ctx);
  /// A note for a read case's result saying which file it read.
  std::string read_source_note(std::int64_t file_bytes) const;
  /// Removes the scratch directory now (also done by the destructor).
  void remove();

 private:
  StorageConfig config_;
  std::filesystem::path dir_;
  std::int64_t data_file_bytes_ = 0;
};

// --- files and buffers ----------------------------------------------------------------------------

/// A page-aligned heap buffer (O_DIRECT needs aligned memory).
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::int64_t bytes);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  unsigned char* data() const { return data_; }
  std::int64_t size() const { return bytes_; }

 private:
  unsigned char* data_ = nullptr;
  std::int64_t bytes_ = 0;
};

/// An open file descriptor, closed on destruction.
class File {
 public:
  File() = default;
  /// open(2) with `flags`; when `try_direct`, first with O_DIRECT and, where the filesystem refuses
  /// it (EINVAL), again without. Throws EnvironmentError naming the path.
  File(const std::filesystem::path& path, int flags, bool try_direct, mode_t mode = 0600);
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }
  bool direct() const { return direct_; }

 private:
  int fd_ = -1;
  bool direct_ = false;
};

/// Fills `buf[0..bytes)` with pseudo-random bytes (SplitMix64 from `seed`): never zeros, so neither
/// compression nor zero-page tricks of a filesystem or device can help.
void fill_random(unsigned char* buf, std::int64_t bytes, std::uint64_t seed);
/// Writes the stamp of page `first_page + i` of file `file_id` into the first 8 bytes of each 4 KiB
/// page of buf, so a read-back can check that every page holds what was written where.
void stamp_pages(unsigned char* buf, std::int64_t bytes, std::uint64_t file_id, std::int64_t first_page);
/// Number of pages in buf whose stamp differs from what stamp_pages wrote.
std::int64_t count_bad_stamps(const unsigned char* buf, std::int64_t bytes, std::uint64_t file_id,
                              std::int64_t first_page);

/// pwrite/pread of a whole range, retrying short transfers; EnvironmentError on failure.
void write_all(int fd, const unsigned char* buf, std::int64_t bytes, std::int64_t offset, const std::string& what);
void read_all(int fd, unsigned char* buf, std::int64_t bytes, std::int64_t offset, const std::string& what);

// --- I/O engines ----------------------------------------------------------------------------------

enum class IoKind { kRead, kWrite };

/// What one engine run did.
struct IoRun {
  std::int64_t ops = 0;            ///< completed requests
  double seconds = 0;              ///< wall time from first submission to last completion
  std::vector<double> latency_s;   ///< per request, submission to completion (when recorded)
};

/// One I/O job: `block_bytes` requests at offset(i) for i = 0, 1, ..., `max_ops` in all or until
/// `max_s` has passed, with up to `queue_depth` requests in flight.
struct IoJob {
  int fd = -1;
  IoKind kind = IoKind::kRead;
  std::int64_t block_bytes = 0;
  int queue_depth = 1;
  std::int64_t max_ops = 0;
  double max_s = 1e30;
  bool record_latency = false;
  /// Byte offset of request i; pure (called from several threads by the psync engine).
  std::function<std::int64_t(std::int64_t)> offset;
};

/// Submits I/O: io_uring (liburing) when built with it and the kernel allows it, else psync
/// (pread/pwrite; queue depth N = N threads with one synchronous request each, like fio's psync with
/// numjobs = N).
class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual std::string name() const = 0;  ///< "io_uring" | "psync"
  /// name() with how requests are submitted, for a result's method text.
  virtual std::string describe() const { return name(); }
  /// Runs the job. Throws EnvironmentError on an I/O error or a short transfer.
  virtual IoRun run(const IoJob& job, const unsigned char* write_data) = 0;
};
/// The best engine here. `why_not_uring` receives why io_uring is not used (empty when it is). An
/// io_uring engine may ask for IORING_SETUP_SINGLE_ISSUER: run it only from the thread that made it.
std::unique_ptr<IoEngine> make_io_engine(int queue_depth, std::string& why_not_uring);
std::unique_ptr<IoEngine> make_psync_engine();

/// Sequential offsets of request i: (start + i·block) wrapped within [0, file_bytes).
std::int64_t sequential_offset(std::int64_t start, std::int64_t i, std::int64_t block_bytes, std::int64_t file_bytes);
/// Uniform pseudo-random block-aligned offset of request i (a hash of seed and i): reproducible.
std::int64_t random_offset(std::uint64_t seed, std::int64_t i, std::int64_t block_bytes, std::int64_t file_bytes);

/// A note saying whether the page cache could have served a case: O_DIRECT or not, file vs RAM.
std::string cache_note(bool direct, std::int64_t file_bytes);

// --- benchmark factories (one source file each) ---------------------------------------------------
std::unique_ptr<Benchmark> make_seq_benchmark(std::shared_ptr<Workspace> ws, IoKind kind);  ///< seq_read / seq_write
std::unique_ptr<Benchmark> make_rand_read_benchmark(std::shared_ptr<Workspace> ws);        ///< storage.rand_read
std::unique_ptr<Benchmark> make_checkpoint_benchmark(std::shared_ptr<Workspace> ws);       ///< storage.checkpoint
std::unique_ptr<Benchmark> make_small_files_benchmark(std::shared_ptr<Workspace> ws);      ///< storage.small_files

/// Scratch bytes one instance of a storage case needs on disk (for the free-space check).
struct SpaceNeed {
  std::int64_t data_file_bytes = 0;   ///< the shared data file (seq, rand; 0 for reads of --storage-file)
  std::int64_t private_bytes = 0;     ///< files the case makes and removes itself
};
SpaceNeed space_need(const std::string& case_name, const core::Params& params, const StorageConfig& config);

}  // namespace headroom::bench::storage
