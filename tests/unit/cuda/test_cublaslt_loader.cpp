// cuBLASLt is loaded on first use (microbench/cuda/src/cublaslt_loader.cpp), not at program start:
// a process that never runs a GEMM on a device never maps the 540 MB library. These checks need no
// GPU: cublasLtGetVersion and cublasLtGetStatusName work without a device.
#include <cublasLt.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

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
