#pragma once
/// HEADROOM_NCCL_CHECK: like the CUDA and cuBLASLt checks, captures the expression, NCCL's error
/// string, file and line, and throws gpu::ApiError.
#include <nccl.h>

#include "headroom/gpu/check.hpp"

namespace headroom::bench::nccl {

[[noreturn]] void throw_nccl_error(ncclResult_t status, const char* expr, const char* file, int line);

inline void check_nccl(ncclResult_t status, const char* expr, const char* file, int line) {
  if (status != ncclSuccess) throw_nccl_error(status, expr, file, line);
}

}  // namespace headroom::bench::nccl

#define HEADROOM_NCCL_CHECK(expr) ::headroom::bench::nccl::check_nccl((expr), #expr, __FILE__, __LINE__)
