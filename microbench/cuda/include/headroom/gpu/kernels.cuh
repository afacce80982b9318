#pragma once
/// Plain C++ launchers of the CUDA backend's kernels (defined in kernels.cu, the only file nvcc
/// compiles). Each launcher checks cudaGetLastError() after its launch and throws gpu::ApiError.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace headroom::bench::gpu {

/// Element types the fill and check kernels understand.
enum class ElemType { kF64, kF32, kF16, kBf16, kFp8E4M3, kI8, kI32 };

/// Fills `n` elements at `dst` with pattern.hpp's uniform_pm1 (float types, rounded to the type)
/// or uniform_int8 (int8/int32) for `seed`: random data, never zeros.
void launch_fill_random(void* dst, ElemType type, std::int64_t n, std::uint64_t seed, cudaStream_t stream);

/// Spot check of a TN GEMM (column-major, A stored k×m with lda = k, B k×n with ldb = k, C m×n
/// with ldc = m): for each of `count` entries (rows[e], cols[e]) writes the fp64 dot product of
/// A's column rows[e] and B's column cols[e] to ref[e], and C's element converted to double to
/// got[e]. rows, cols, ref and got are device pointers.
void launch_gemm_spot_check(const void* a, const void* b, const void* c, ElemType in_type, ElemType out_type,
                            std::int64_t m, std::int64_t k, const std::int64_t* rows, const std::int64_t* cols,
                            int count, double* ref, double* got, cudaStream_t stream);

/// STREAM triad a[i] = b[i] + scalar·c[i] over `n` doubles with 16-byte accesses and a grid of
/// `blocks` blocks.
void launch_triad(double* a, const double* b, const double* c, double scalar, std::int64_t n, int blocks,
                  cudaStream_t stream);

/// Copy of `bytes` (a multiple of 16) by SM loads and stores with 16-byte accesses; src or dst may
/// be a peer device's memory (NVLink / PCIe peer writes and reads through the SMs).
void launch_copy_sm(void* dst, const void* src, std::int64_t bytes, int blocks, cudaStream_t stream);

/// Fills `n` floats with collective_value(rank, first_index + i) (pattern.hpp).
void launch_fill_collective(float* dst, std::int64_t n, int rank, std::int64_t first_index, cudaStream_t stream);

/// Adds to `*count` (a device counter) how many of the `n` elements of `type` at `src` are not a
/// written result: NaN or infinite for fp64 / fp32 / fp16 / bf16 (the NaN poison left in place, or
/// a broken result), kInt32Poison for int32 (pattern.hpp). Other types throw std::invalid_argument.
void launch_count_unwritten(const void* src, ElemType type, std::int64_t n, unsigned long long* count,
                            cudaStream_t stream);

/// A start latch: one thread spins until the int at `flag` (pinned host memory mapped into this
/// device, cudaHostAllocMapped) is non-zero, or until `timeout_ns` of the GPU's global timer have
/// passed, in which case it sets `*timed_out` (same kind of memory) to 1. Work queued behind it on
/// `stream` starts only when the host releases the latch, so copies on several GPUs, queued one
/// after the other, start together.
void launch_wait_flag(const volatile int* flag, int* timed_out, unsigned long long timeout_ns, cudaStream_t stream);

/// Sets `n` floats to NaN (poisons a receive buffer before a checked run).
void launch_poison(float* dst, std::int64_t n, cudaStream_t stream);

}  // namespace headroom::bench::gpu
