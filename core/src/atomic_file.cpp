#include "headroom/core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "headroom/core/errors.hpp"

namespace headroom::core {

namespace fs = std::filesystem;

namespace {
[[noreturn]] void throw_errno(const fs::path& path, int err, const std::string& action) {
  const std::string msg = path.string() + ": cannot " + action + ": " + std::strerror(err);
  if (err == ENOSPC || err == EIO || err == EDQUOT || err == EFBIG || err == EROFS || err == EMFILE || err == ENFILE) {
    throw EnvironmentError(msg);
  }
  throw InputError(path.string(), "", "a writable path (" + action + " failed: " + std::strerror(err) + ")");
}

fs::path parent_of(const fs::path& path) {
  fs::path dir = path.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

std::string non_regular_kind(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::symlink:
      return "a symlink, refused even when it points to a regular file: name the target itself";
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::character:
    case fs::file_type::block:
      return "a device";
    case fs::file_type::socket:
      return "a socket";
    default:
      return "not a regular file";
  }
}
}  // namespace

void check_writable(const fs::path& path, Overwrite overwrite) {
  const fs::path dir = parent_of(path);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(path.string(), "", "a path in an existing directory ('" + dir.string() + "' does not exist)");
  }
  // The rename that publishes the output would replace whatever entry is there: a symlink (not its
  // target), a FIFO or a device node. Only a regular file may be replaced (with --force); any other
  // existing entry is refused either way.
  const fs::file_status st = fs::symlink_status(path, ec);
  if (fs::is_directory(st)) throw InputError(path.string(), "", "a file path, not a directory");
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    throw InputError(
        path.string(), "",
        "a regular file or a new path (it is " + non_regular_kind(st) + "; left untouched, with --force or without)");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    const int err = errno;
    // The caller names an output path the user chose: one that cannot be written, for want of
    // permission or on a read-only filesystem, is bad input (exit 2) like an EACCES.
    if (err == EROFS) {
      throw InputError(dir.string(), "",
                       std::string("a writable path (write into the directory failed: ") + std::strerror(err) + ")");
    }
    throw_errno(dir, err, "write into the directory");
  }
  if (overwrite == Overwrite::kRefuse && fs::exists(st)) {
    throw InputError(path.string(), "", "a new file (it exists; pass --force to replace it)");
  }
}

namespace {
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  const bool both_exist = fs::exists(a, ec) && fs::exists(b, ec);
  if (both_exist) {
    const bool eq = fs::equivalent(a, b, ec);
    if (!ec) return eq;
  }
  const auto canonical = [](const fs::path& p) {
    std::error_code e;
    fs::path c = fs::weakly_canonical(p, e);
    return e ? fs::absolute(p, e).lexically_normal() : c;
  };
  return canonical(a) == canonical(b);
}
}  // namespace

std::vector<NamedPath> files_in(const std::filesystem::path& dir, const std::string& option) {
  std::vector<NamedPath> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) out.push_back({option, e.path()});
  }
  return out;
}

void check_distinct_outputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (out.path.empty()) continue;
    const auto refuse = [&](const NamedPath& other, const std::string& role) {
      throw InputError(out.path.string(), out.option,
                       "a file distinct from every input and output (it is also " + role + " " + other.option +
                           " '" + other.path.string() + "'; nothing was written)");
    };
    for (const auto& in : inputs) {
      if (!in.path.empty() && same_file(out.path, in.path)) refuse(in, "the input");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path)) refuse(outputs[j], "the output");
    }
  }
}

void write_file_atomic(const fs::path& path, std::string_view content, Overwrite overwrite) {
  check_writable(path, overwrite);
  const fs::path dir = parent_of(path);
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw_errno(path, errno, "create a temporary file");
  const fs::path tmp = tmpl;
  auto cleanup = [&](int err, const std::string& action) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw_errno(path, err, action);
  };
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup(errno, "write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) cleanup(errno, "set permissions");
  if (::fsync(fd) != 0) cleanup(errno, "fsync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw_errno(path, err, "close");
  }
  if (overwrite == Overwrite::kAllow) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      throw_errno(path, err, "rename into place");
    }
  } else {
    // link() fails with EEXIST if the target appeared meanwhile: no-clobber and publish in one step.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) throw InputError(path.string(), "", "a new file (it exists; pass --force to replace it)");
      throw_errno(path, err, "publish");
    }
    ::unlink(tmp.c_str());
  }
  // Persist the directory entry too.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace headroom::core
