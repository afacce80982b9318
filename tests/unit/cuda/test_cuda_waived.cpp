// The real `headroom` binary on a machine without a GPU (or driver): every cuda.* and nccl.* case
// is recorded as waived with "no CUDA device/driver found", and the run exits 0. Skipped where a
// GPU is present (tests/gpu covers that case).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include "headroom/core/results.hpp"

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

Run run(const std::string& args) {
  Run r;
  const std::string cmd = std::string(HEADROOM_EXE) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool gpu_present() {
  const Run inv = run("inventory --json");
  return inv.out.find("\"devices\": []") == std::string::npos;
}

headroom::core::Results bench(const std::string& filter, int& exit_code) {
  const auto path =
      std::filesystem::temp_directory_path() / ("headroom_cuda_waived_" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(path);
  const Run r = run("bench --quiet --filter '" + filter + "' --out " + path.string());
  exit_code = r.exit_code;
  auto results = headroom::core::load_results(path);
  std::filesystem::remove(path);
  return results;
}

void expect_all_waived(const headroom::core::Results& r, const std::string& prefix) {
  ASSERT_FALSE(r.cases.empty());
  for (const auto& c : r.cases) {
    EXPECT_EQ(c.name.rfind(prefix, 0), 0u) << c.name;
    EXPECT_EQ(c.status, headroom::core::Status::kWaived) << c.name;
    EXPECT_EQ(c.message.rfind("no CUDA device/driver found", 0), 0u) << c.name << ": " << c.message;
    EXPECT_TRUE(c.metrics.empty()) << c.name;  // nothing invented
  }
}

}  // namespace

TEST(CudaWaived, EveryCudaCaseWaivedAndExitZero) {
  if (gpu_present()) GTEST_SKIP() << "a GPU is present: tests/gpu runs the CUDA cases";
  int code = -1;
  const auto r = bench("cuda.*", code);
  EXPECT_EQ(code, 0);
  expect_all_waived(r, "cuda.");
  std::set<std::string> names;
  for (const auto& c : r.cases) names.insert(c.name);
  for (const char* want :
       {"cuda.gemm.fp64", "cuda.gemm.fp32", "cuda.gemm.tf32", "cuda.gemm.fp16", "cuda.gemm.bf16", "cuda.gemm.fp8",
        "cuda.gemm.fp8_fast", "cuda.gemm.int8", "cuda.hbm.copy", "cuda.hbm.triad", "cuda.pcie.h2d", "cuda.pcie.d2h",
        "cuda.pcie.bidir", "cuda.pcie.all.h2d", "cuda.pcie.all.d2h", "cuda.pcie.all.bidir", "cuda.peer.copy"}) {
    EXPECT_EQ(names.count(want), 1u) << want;
  }
  EXPECT_TRUE(r.devices.empty());
  bool noted = false;
  for (const auto& n : r.run.notes) noted = noted || n.find("no CUDA device/driver found") != std::string::npos;
  EXPECT_TRUE(noted) << "the run notes say why there are no GPUs";
}

#ifdef HEADROOM_HAVE_NCCL
TEST(CudaWaived, EveryNcclCaseWaivedAndExitZero) {
  if (gpu_present()) GTEST_SKIP() << "a GPU is present: tests/gpu runs the NCCL cases";
  int code = -1;
  const auto r = bench("nccl.*", code);
  EXPECT_EQ(code, 0);
  expect_all_waived(r, "nccl.");
  EXPECT_EQ(r.cases.size(), 10u);  // five collectives and their five α-β fits
}
#endif
