#pragma once
/// Atomic output: content goes to a temporary file in the target directory, is fsync'ed, and is
/// renamed over the target only when complete, so a reader never sees half a file and a crash
/// leaves the old file (or nothing) in place.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::core {

enum class Overwrite { kRefuse, kAllow };

/// Writes `content` to `path` atomically. With Overwrite::kRefuse an existing `path` is an
/// InputError ("use --force"); the no-clobber check and the publish are one atomic step (link(2)
/// of the finished temporary). An existing `path` that is not a regular file (a symlink, even to a
/// regular file; a FIFO; a device) is an InputError either way and is left untouched. A missing
/// directory or a read-only target is an InputError; ENOSPC / EIO and similar are
/// EnvironmentError. The temporary is removed on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content, Overwrite overwrite);

/// Checks early (before long work) that `path` could be written: its directory exists and is
/// writable, it is not a symlink, FIFO, device or directory, and it does not exist unless overwrite
/// is allowed. Throws like write_file_atomic.
void check_writable(const std::filesystem::path& path, Overwrite overwrite);

/// A file a command reads or writes, with the option or argument that names it ("--html", "CURRENT").
struct NamedPath {
  std::string option;
  std::filesystem::path path;
};

/// Refuses, before anything is written, an output that is the same file as another output or as an
/// input (InputError naming the output's path and option and the other one), --force or not: one
/// command must not replace its own input or write two outputs over each other. Same file = the
/// same device and inode where both exist (hard links, links to directories), else the same
/// weakly canonical path. Entries with an empty path are ignored.
void check_distinct_outputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs);

/// The regular files of `dir` (a fleet directory read whole), each named by `option`, as inputs for
/// check_distinct_outputs. An unreadable directory gives none (reading it reports the error).
std::vector<NamedPath> files_in(const std::filesystem::path& dir, const std::string& option);

}  // namespace headroom::core
