#pragma once
/// One check macro per API family (CUDA runtime, cuBLASLt). Each captures the expression, the
/// API's error name and string, file and line, and throws gpu::ApiError; the runner records it as
/// the case's `error` message. Only code inside microbench/cuda and microbench/nccl includes this.
#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace headroom::bench::gpu {

/// A failed CUDA / cuBLASLt / NCCL call: "gemm.cpp:120: cudaMalloc(&p, n) failed: cudaErrorMemoryAllocation (out of
/// memory)".
class ApiError : public std::runtime_error {
 public:
  ApiError(const std::string& api_error_name, const std::string& message)
      : std::runtime_error(message), api_error_name_(api_error_name) {}
  const std::string& api_error_name() const noexcept { return api_error_name_; }

 private:
  std::string api_error_name_;
};

/// Builds the message of an ApiError (shared by every family's check function).
std::string api_error_message(const char* expr, const char* file, int line, const std::string& name,
                              const std::string& text);

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* expr, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* expr, const char* file, int line);

inline void check_cuda(cudaError_t status, const char* expr, const char* file, int line) {
  if (status != cudaSuccess) throw_cuda_error(status, expr, file, line);
}
inline void check_cublas(cublasStatus_t status, const char* expr, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_cublas_error(status, expr, file, line);
}

}  // namespace headroom::bench::gpu

#define HEADROOM_CUDA_CHECK(expr) ::headroom::bench::gpu::check_cuda((expr), #expr, __FILE__, __LINE__)
#define HEADROOM_CUBLAS_CHECK(expr) ::headroom::bench::gpu::check_cublas((expr), #expr, __FILE__, __LINE__)
/// After every kernel launch: a bad configuration only shows up in cudaGetLastError().
#define HEADROOM_CUDA_CHECK_LAUNCH() HEADROOM_CUDA_CHECK(cudaGetLastError())
