// cuBLASLt is loaded on first use (microbench/cuda/src/cublaslt_loader.cpp), not at program start:
// a process that never runs a GEMM on a device never maps the 540 MB library. These checks need no
// GPU: cublasLtGetVersion and cublasLtGetStatusName work without a device.
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "headroom/gpu/cublaslt_loader.hpp"

namespace {

/// Whether this process has libcublasLt mapped, read from /proc/self/maps.
bool cublaslt_mapped() {
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str().find("libcublasLt") != std::string::npos;
}

TEST(CublasLtLoader, LoadsOnFirstCallAndForwardsToTheRealLibrary) {
  // Linked with headroom_bench_cuda, yet not mapped before the first call...
  ASSERT_FALSE(cublaslt_mapped()) << "libcublasLt was loaded at program start";
  // ...and the first call loads the library the headers came from and returns its answer.
  EXPECT_EQ(cublasLtGetVersion(), static_cast<std::size_t>(CUBLAS_VERSION));
  EXPECT_TRUE(cublaslt_mapped());
  EXPECT_STREQ(cublasLtGetStatusName(CUBLAS_STATUS_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED");
  EXPECT_STREQ(cublasLtGetStatusName(CUBLAS_STATUS_SUCCESS), "CUBLAS_STATUS_SUCCESS");
}

}  // namespace

// After the test above (gtest runs a file's tests in order): these load the library themselves.
TEST(CublasLtLoader, UsableHereAndAMissingLibraryOrSymbolIsAReasonNotACrash) {
  // The toolkit's library is present on every machine that builds this test.
  EXPECT_EQ(headroom::bench::gpu::cublaslt_unavailable_reason(), "");
  EXPECT_EQ(headroom::bench::gpu::probe_cublaslt({"libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR)}), "");
  // No such library: the reason names what was tried and how to fix it.
  const std::string none = headroom::bench::gpu::probe_cublaslt({"libheadroom_no_such_cublaslt.so.13"});
  EXPECT_NE(none.find("cuBLASLt could not be loaded"), std::string::npos) << none;
  EXPECT_NE(none.find("libheadroom_no_such_cublaslt.so.13"), std::string::npos) << none;
  EXPECT_NE(none.find("LD_LIBRARY_PATH"), std::string::npos) << none;
  // A library that loads but lacks the entry points (the CUDA runtime, linked into this test):
  // the reason names the library and the first missing symbol.
  const std::string cudart = "libcudart.so." + std::to_string(CUDART_VERSION / 1000);
  const std::string wrong = headroom::bench::gpu::probe_cublaslt({"libheadroom_no_such_cublaslt.so.13", cudart});
  EXPECT_NE(wrong.find(cudart + " has no symbol cublasLtCreate"), std::string::npos) << wrong;
  EXPECT_EQ(headroom::bench::gpu::probe_cublaslt({}).find("cuBLASLt could not be loaded (no candidate library)"), 0u);
}
