#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"

using namespace headroom::core;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "headroom-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}
}  // namespace

TEST(AtomicFile, WritesAndRefusesToClobber) {
  TempDir d;
  const fs::path f = d.path / "results.json";
  write_file_atomic(f, "first", Overwrite::kRefuse);
  EXPECT_EQ(slurp(f), "first");
  try {
    write_file_atomic(f, "second", Overwrite::kRefuse);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos);
  }
  EXPECT_EQ(slurp(f), "first");
  EXPECT_EQ(entries(d.path), 1u);  // no temporary left behind
  write_file_atomic(f, "second", Overwrite::kAllow);
  EXPECT_EQ(slurp(f), "second");
  EXPECT_EQ(entries(d.path), 1u);
}

TEST(AtomicFile, MissingDirectoryIsInputError) {
  TempDir d;
  EXPECT_THROW(write_file_atomic(d.path / "no" / "such" / "x.json", "x", Overwrite::kAllow), InputError);
  EXPECT_THROW(check_writable(d.path / "missing" / "x.json", Overwrite::kAllow), InputError);
}

TEST(AtomicFile, ReadOnlyDirectoryLeavesNothing) {
  if (::geteuid() == 0) {
    // root bypasses directory permissions; a read-only bind is not available in every sandbox.
    GTEST_SKIP() << "running as root: permission bits do not restrict root";
  }
  TempDir d;
  ::chmod(d.path.c_str(), 0555);
  EXPECT_THROW(write_file_atomic(d.path / "x.json", "x", Overwrite::kAllow), InputError);
  ::chmod(d.path.c_str(), 0755);
  EXPECT_EQ(entries(d.path), 0u);
}

TEST(AtomicFile, DirectoryTargetRejected) {
  TempDir d;
  EXPECT_THROW(check_writable(d.path, Overwrite::kAllow), InputError);
  const fs::path target = d.path / "out.json";
  fs::create_directory(target);
  EXPECT_THROW(write_file_atomic(target, "x", Overwrite::kAllow), InputError);
  EXPECT_EQ(entries(d.path), 1u);  // the directory itself, no temporary
}
