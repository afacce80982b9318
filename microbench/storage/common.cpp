// Shared pieces of the storage backend: options, the scratch workspace, files, buffers, stamps.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "storage.hpp"

namespace headroom::bench::storage {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

std::int64_t parse_positive_size(const std::string& text, const std::string& flag) {
  const std::int64_t v = core::parse_size(text, flag);
  if (v <= 0) throw core::InputError("", flag, fmt::format("a size greater than 0, got '{}'", text));
  return v;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t page_stamp(std::uint64_t file_id, std::int64_t page) {
  std::uint64_t s = file_id * 0x100000001B3ULL + static_cast<std::uint64_t>(page);
  return splitmix64(s) | 1;  // never zero
}

constexpr std::int64_t kMinFileBytes = 16 * static_cast<std::int64_t>(core::kMiB);

// --storage-file: stat only (nothing is opened here). A symbolic link to a regular file is accepted;
// a device, directory or FIFO is not, so a mistyped path can never make headroom read a whole disk.
void parse_read_file(const std::string& text, StorageConfig& c) {
  const fs::path path = text;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!fs::exists(st)) {
    throw core::InputError("", "--storage-file",
                           fmt::format("an existing regular file, got '{}' (it does not exist)", text));
  }
  if (!fs::is_regular_file(st)) {
    throw core::InputError("", "--storage-file",
                           fmt::format("a regular file, got '{}' ({})", text,
                                       fs::is_directory(st) ? "a directory" : "not a regular file"));
  }
  const auto size = static_cast<std::int64_t>(fs::file_size(path, ec));
  if (ec) throw core::EnvironmentError(fmt::format("cannot read the size of '{}': {}", text, ec.message()));
  const std::int64_t need = std::max(kMinFileBytes, c.file_bytes.value_or(0));
  if (size < need) {
    throw core::InputError(
        "", "--storage-file",
        fmt::format("a file of at least {}{}, got '{}' of {} bytes",
                    core::format_bytes_binary(static_cast<double>(need)),
                    c.file_bytes ? " (--storage-size)" : "", text, size));
  }
  c.read_file = fs::absolute(path, ec);  // results name the file unambiguously
  if (ec) c.read_file = path;
  c.read_file_bytes = size;
}

}  // namespace

// --- options --------------------------------------------------------------------------------------

StorageConfig parse_storage_config(const BackendOptions& options) {
  StorageConfig c;
  if (!options.storage_size.empty()) {
    const std::int64_t v = parse_positive_size(options.storage_size, "--storage-size");
    if (v < 16 * static_cast<std::int64_t>(core::kMiB)) {
      throw core::InputError("", "--storage-size",
                             fmt::format("a size of at least 16MiB, got '{}'", options.storage_size));
    }
    c.file_bytes = v / kPageBytes * kPageBytes;
  }
  if (!options.block_size.empty()) {
    const std::int64_t v = parse_positive_size(options.block_size, "--block-size");
    if (v % kPageBytes != 0 || v > 256 * static_cast<std::int64_t>(core::kMiB)) {
      throw core::InputError("", "--block-size",
                             fmt::format("a multiple of 4KiB up to 256MiB (O_DIRECT alignment), got '{}'",
                                         options.block_size));
    }
    c.block_bytes = v;
  }
  if (!options.queue_depth.empty()) {
    int qd = 0;
    std::size_t used = 0;
    try {
      qd = std::stoi(options.queue_depth, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != options.queue_depth.size() || qd < 1 || qd > 1024) {
      throw core::InputError("", "--queue-depth",
                             fmt::format("an integer from 1 to 1024, got '{}'", options.queue_depth));
    }
    c.queue_depth = qd;
  }
  if (!options.storage_file.empty()) parse_read_file(options.storage_file, c);
  if (options.storage_dir.empty()) {
    std::error_code ec;
    c.base_dir = fs::current_path(ec);
    if (ec) throw core::EnvironmentError("cannot read the working directory: " + ec.message());
  } else {
    c.base_dir = options.storage_dir;
    c.user_dir = true;
  }
  return c;
}

void check_storage_dir(const StorageConfig& c) {
  const std::string flag_hint = c.user_dir ? "" : " (the working directory; choose another with --storage-dir)";
  std::error_code ec;
  const auto st = fs::status(c.base_dir, ec);
  if (!fs::exists(st)) {
    throw core::InputError("", "--storage-dir",
                           fmt::format("an existing directory, got '{}' (it does not exist)", c.base_dir.string()));
  }
  if (!fs::is_directory(st)) {
    throw core::InputError("", "--storage-dir",
                           fmt::format("a directory, got '{}' (not a directory)", c.base_dir.string()));
  }
  struct statvfs sv {};
  if (::statvfs(c.base_dir.c_str(), &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0) {
    throw core::EnvironmentError(
        fmt::format("storage directory '{}'{} is on a read-only filesystem", c.base_dir.string(), flag_hint));
  }
  if (::access(c.base_dir.c_str(), W_OK | X_OK) != 0) {
    throw core::EnvironmentError(fmt::format("storage directory '{}'{} is not writable: {}", c.base_dir.string(),
                                             flag_hint, errno_text(errno)));
  }
}

std::int64_t free_bytes(const fs::path& dir) {
  struct statvfs sv {};
  if (::statvfs(dir.c_str(), &sv) != 0) {
    throw core::EnvironmentError(
        fmt::format("cannot read free space of '{}': {}", dir.string(), errno_text(errno)));
  }
  return static_cast<std::int64_t>(sv.f_bavail) * static_cast<std::int64_t>(sv.f_frsize);
}

std::int64_t ram_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::int64_t>(pages) * static_cast<std::int64_t>(page);
}

std::int64_t data_file_bytes(const StorageConfig& config, const std::string& suite) {
  if (config.file_bytes) return *config.file_bytes;
  const auto mib = static_cast<std::int64_t>(core::kMiB);
  const auto gib = static_cast<std::int64_t>(core::kGiB);
  if (suite == "quick") return 256 * mib;
  if (suite == "standard") return 4 * gib;
  const std::int64_t ram = ram_bytes();
  return ram > 0 ? (2 * ram + gib - 1) / gib * gib : 16 * gib;
}

std::int64_t bytes_to_read(const StorageConfig& config, const std::string& suite) {
  if (config.read_file.empty()) return data_file_bytes(config, suite);
  return config.file_bytes.value_or(config.read_file_bytes / kPageBytes * kPageBytes);
}

std::int64_t checkpoint_bytes(const StorageConfig& config, const std::string& suite) {
  if (config.file_bytes) return *config.file_bytes;
  const auto mib = static_cast<std::int64_t>(core::kMiB);
  const auto gib = static_cast<std::int64_t>(core::kGiB);
  if (suite == "quick") return 64 * mib;
  if (suite == "standard") return 2 * gib;
  return 16 * gib;
}

std::string cache_note(bool direct, std::int64_t file_bytes) {
  if (direct) return "O_DIRECT: the page cache is bypassed";
  const std::int64_t ram = ram_bytes();
  if (ram > 0 && file_bytes < 2 * ram) {
    return fmt::format("buffered I/O on a {} file with {} of RAM: numbers may be cache-assisted (use a "
                       "filesystem that accepts O_DIRECT, or --storage-size of at least 2x RAM)",
                       core::format_bytes_binary(static_cast<double>(file_bytes)),
                       core::format_bytes_binary(static_cast<double>(ram)));
  }
  return "buffered I/O on a file at least 2x RAM";
}

// --- workspace ------------------------------------------------------------------------------------

Workspace::~Workspace() { remove(); }

void Workspace::remove() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);  // only our own mkdtemp directory
  dir_.clear();
  data_file_bytes_ = 0;
}

const fs::path& Workspace::dir() {
  if (!dir_.empty()) return dir_;
  std::string tmpl = (config_.base_dir / "headroom-storage-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    const int err = errno;
    throw core::EnvironmentError(
        fmt::format("cannot create a scratch directory in '{}'{}: {}", config_.base_dir.string(),
                    config_.user_dir ? "" : " (the working directory; choose another with --storage-dir)",
                    errno_text(err)));
  }
  dir_ = tmpl;
  return dir_;
}

fs::path Workspace::data_file(std::int64_t file_bytes, RunContext& ctx) {
  const fs::path path = dir() / "data.bin";
  if (data_file_bytes_ == file_bytes) return path;
  data_file_bytes_ = 0;
  File f(path, O_WRONLY | O_CREAT | O_TRUNC, true);
  const std::int64_t chunk = std::min<std::int64_t>(file_bytes, 8 * static_cast<std::int64_t>(core::kMiB));
  AlignedBuffer buf(chunk);
  fill_random(buf.data(), chunk, 0x5eed);
  for (std::int64_t off = 0; off < file_bytes; off += chunk) {
    if (ctx.cancelled()) throw core::EnvironmentError("interrupted while creating the data file");
    const std::int64_t n = std::min(chunk, file_bytes - off);
    stamp_pages(buf.data(), n, 1, off / kPageBytes);
    write_all(f.fd(), buf.data(), n, off, path.string());
  }
  if (::fsync(f.fd()) != 0) {
    throw core::EnvironmentError(fmt::format("fsync of '{}' failed: {}", path.string(), errno_text(errno)));
  }
  // Buffered fallback: drop what the page cache holds of it, so the first reads are not served from RAM.
  ::posix_fadvise(f.fd(), 0, 0, POSIX_FADV_DONTNEED);
  data_file_bytes_ = file_bytes;
  return path;
}

fs::path Workspace::file_to_read(std::int64_t file_bytes, RunContext& ctx) {
  if (!config_.read_file.empty()) return config_.read_file;
  return data_file(file_bytes, ctx);
}

std::string Workspace::read_source_note(std::int64_t file_bytes) const {
  if (config_.read_file.empty()) return "read the scratch data file headroom wrote before the case";
  return fmt::format("read the first {} of the existing file '{}' (--storage-file, opened read-only)",
                     core::format_bytes_binary(static_cast<double>(file_bytes)), config_.read_file.string());
}

// --- buffers and files ----------------------------------------------------------------------------

AlignedBuffer::AlignedBuffer(std::int64_t bytes) : bytes_(bytes) {
  void* p = nullptr;
  const auto rounded = static_cast<std::size_t>((bytes + kPageBytes - 1) / kPageBytes * kPageBytes);
  if (::posix_memalign(&p, static_cast<std::size_t>(kPageBytes), std::max<std::size_t>(rounded, 1)) != 0) {
    throw core::EnvironmentError(fmt::format("cannot allocate {} of aligned memory",
                                             core::format_bytes_binary(static_cast<double>(bytes))));
  }
  data_ = static_cast<unsigned char*>(p);
  std::memset(data_, 0, rounded);  // first touch outside any timed region
}

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    bytes_ = other.bytes_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

File::File(const fs::path& path, int flags, bool try_direct, mode_t mode) {
  if (try_direct) {
    fd_ = ::open(path.c_str(), flags | O_DIRECT | O_CLOEXEC, mode);
    if (fd_ >= 0) {
      direct_ = true;
      return;
    }
    if (errno != EINVAL) {
      throw core::EnvironmentError(fmt::format("cannot open '{}': {}", path.string(), errno_text(errno)));
    }
  }
  fd_ = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd_ < 0) throw core::EnvironmentError(fmt::format("cannot open '{}': {}", path.string(), errno_text(errno)));
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& other) noexcept : fd_(other.fd_), direct_(other.direct_) { other.fd_ = -1; }

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    direct_ = other.direct_;
    other.fd_ = -1;
  }
  return *this;
}

void fill_random(unsigned char* buf, std::int64_t bytes, std::uint64_t seed) {
  std::uint64_t state = seed;
  std::int64_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    const std::uint64_t v = splitmix64(state);
    std::memcpy(buf + i, &v, 8);
  }
  const std::uint64_t tail = splitmix64(state);
  std::memcpy(buf + i, &tail, static_cast<std::size_t>(bytes - i));
}

void stamp_pages(unsigned char* buf, std::int64_t bytes, std::uint64_t file_id, std::int64_t first_page) {
  for (std::int64_t p = 0; p * kPageBytes < bytes; ++p) {
    const std::uint64_t s = page_stamp(file_id, first_page + p);
    std::memcpy(buf + p * kPageBytes, &s, std::min<std::int64_t>(8, bytes - p * kPageBytes));
  }
}

std::int64_t count_bad_stamps(const unsigned char* buf, std::int64_t bytes, std::uint64_t file_id,
                              std::int64_t first_page) {
  std::int64_t bad = 0;
  for (std::int64_t p = 0; p * kPageBytes < bytes; ++p) {
    const std::uint64_t s = page_stamp(file_id, first_page + p);
    if (std::memcmp(buf + p * kPageBytes, &s, std::min<std::int64_t>(8, bytes - p * kPageBytes)) != 0) ++bad;
  }
  return bad;
}

void write_all(int fd, const unsigned char* buf, std::int64_t bytes, std::int64_t offset, const std::string& what) {
  std::int64_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::pwrite(fd, buf + done, static_cast<std::size_t>(bytes - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw core::EnvironmentError(fmt::format("write to '{}' failed at offset {}: {}", what, offset + done,
                                               n < 0 ? errno_text(errno) : "no progress"));
    }
    done += n;
  }
}

void read_all(int fd, unsigned char* buf, std::int64_t bytes, std::int64_t offset, const std::string& what) {
  std::int64_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::pread(fd, buf + done, static_cast<std::size_t>(bytes - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw core::EnvironmentError(fmt::format("read of '{}' failed at offset {}: {}", what, offset + done,
                                               n < 0 ? errno_text(errno) : "unexpected end of file"));
    }
    done += n;
  }
}

std::int64_t sequential_offset(std::int64_t start, std::int64_t i, std::int64_t block_bytes, std::int64_t file_bytes) {
  const std::int64_t blocks = file_bytes / block_bytes;
  return ((start / block_bytes + i) % blocks) * block_bytes;
}

std::int64_t random_offset(std::uint64_t seed, std::int64_t i, std::int64_t block_bytes, std::int64_t file_bytes) {
  std::uint64_t s = seed ^ (static_cast<std::uint64_t>(i) * 0xD1B54A32D192ED03ULL);
  const std::uint64_t blocks = static_cast<std::uint64_t>(file_bytes / block_bytes);
  return static_cast<std::int64_t>(splitmix64(s) % blocks) * block_bytes;
}

}  // namespace headroom::bench::storage
