#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

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

TEST(AtomicFile, NonRegularTargetRefusedEvenWithForce) {
  TempDir d;
  const fs::path real = d.path / "real.json";
  write_file_atomic(real, "real", Overwrite::kRefuse);
  const fs::path link = d.path / "link.json";
  fs::create_symlink(real, link);
  const fs::path fifo = d.path / "fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  for (const auto overwrite : {Overwrite::kRefuse, Overwrite::kAllow}) {
    for (const auto& [target, kind] : {std::pair{link, "a symlink"}, std::pair{fifo, "a FIFO"}}) {
      try {
        write_file_atomic(target, "x", overwrite);
        FAIL() << target;
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("expected a regular file"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(kind), std::string::npos) << e.what();
      }
      EXPECT_THROW(check_writable(target, overwrite), InputError);
    }
  }
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  EXPECT_EQ(slurp(real), "real");
  EXPECT_EQ(entries(d.path), 3u);  // no temporary left behind
  // A device node: /dev/null exists on every Linux host. The directory check comes after the
  // type check, so this holds for root and non-root alike.
  try {
    check_writable("/dev/null", Overwrite::kAllow);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a device"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, OutputsMustDifferFromInputsAndEachOther) {
  TempDir d;
  const fs::path input = d.path / "base.json";
  std::ofstream(input) << "{}";
  const auto error_of = [](const std::vector<NamedPath>& outs, const std::vector<NamedPath>& ins) -> std::string {
    try {
      check_distinct_outputs(outs, ins);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::vector<NamedPath> inputs{{"BASELINE", input}, {"CURRENT", d.path / "cur.json"}};
  // Distinct (and empty, i.e. not given) paths pass.
  EXPECT_EQ(error_of({{"--html", d.path / "r.html"}, {"--prom", ""}}, inputs), "(no error)");
  // An output naming an input, also spelled differently, or a hard link to it.
  const fs::path same = d.path / "sub" / ".." / "base.json";
  fs::create_directory(d.path / "sub");
  EXPECT_EQ(error_of({{"--prom", same}}, inputs),
            same.string() + ": --prom: expected a file distinct from every input and output (it is also the input "
                            "BASELINE '" + input.string() + "'; nothing was written)");
  fs::create_hard_link(input, d.path / "hardlink.json");
  EXPECT_NE(error_of({{"--html", d.path / "hardlink.json"}}, inputs).find("the input BASELINE"), std::string::npos);
  // Two outputs on one new path: the second is named.
  EXPECT_EQ(error_of({{"--junit", d.path / "same.html"}, {"--html", d.path / "same.html"}}, inputs),
            (d.path / "same.html").string() +
                ": --html: expected a file distinct from every input and output (it is also the output --junit '" +
                (d.path / "same.html").string() + "'; nothing was written)");
  EXPECT_EQ(entries(d.path), 3u);  // base.json, hardlink.json, sub: nothing written
}
