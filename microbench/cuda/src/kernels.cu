// The CUDA backend's only device code. Kept in one translation unit on purpose: each .cu file
// costs 2–3 s per architecture in every CI build. No thrust/cub (their headers compile slowly).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cmath>
#include <stdexcept>

#include "headroom/gpu/check.hpp"
#include "headroom/gpu/kernels.cuh"
#include "headroom/gpu/pattern.hpp"

namespace headroom::bench::gpu {

namespace {

constexpr int kThreads = 256;

int blocks_for(std::int64_t n, int per_thread = 1) {
  const std::int64_t want =
      (n + static_cast<std::int64_t>(kThreads) * per_thread - 1) / (static_cast<std::int64_t>(kThreads) * per_thread);
  // Grid-stride loops cover the rest; 65535 blocks keep any device busy.
  return static_cast<int>(want < 1 ? 1 : (want > 65535 ? 65535 : want));
}

template <typename T>
__device__ T from_double(double v) {
  return static_cast<T>(v);
}
template <>
__device__ __half from_double<__half>(double v) {
  return __double2half(v);
}
template <>
__device__ __nv_bfloat16 from_double<__nv_bfloat16>(double v) {
  return __double2bfloat16(v);
}
template <>
__device__ __nv_fp8_e4m3 from_double<__nv_fp8_e4m3>(double v) {
  return __nv_fp8_e4m3(static_cast<float>(v));
}

template <typename T>
__device__ double to_double(T v) {
  return static_cast<double>(v);
}
template <>
__device__ double to_double<__half>(__half v) {
  return static_cast<double>(__half2float(v));
}
template <>
__device__ double to_double<__nv_bfloat16>(__nv_bfloat16 v) {
  return static_cast<double>(__bfloat162float(v));
}
template <>
__device__ double to_double<__nv_fp8_e4m3>(__nv_fp8_e4m3 v) {
  return static_cast<double>(static_cast<float>(v));
}

template <typename T>
__global__ void fill_float_kernel(T* dst, std::int64_t n, std::uint64_t seed) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = from_double<T>(uniform_pm1(seed, static_cast<std::uint64_t>(i)));
  }
}

template <typename T>
__global__ void fill_int_kernel(T* dst, std::int64_t n, std::uint64_t seed) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = static_cast<T>(uniform_int8(seed, static_cast<std::uint64_t>(i)));
  }
}

// One block per checked entry: fp64 dot product of A's column `row` and B's column `col` (both
// contiguous along k in the TN layout), reduced in shared memory.
template <typename TIn, typename TOut>
__global__ void spot_check_kernel(const TIn* a, const TIn* b, const TOut* c, std::int64_t m, std::int64_t k,
                                  const std::int64_t* rows, const std::int64_t* cols, double* ref, double* got) {
  __shared__ double partial[kThreads];
  const std::int64_t row = rows[blockIdx.x];
  const std::int64_t col = cols[blockIdx.x];
  const TIn* a_col = a + row * k;
  const TIn* b_col = b + col * k;
  double sum = 0.0;
  for (std::int64_t l = threadIdx.x; l < k; l += blockDim.x) sum += to_double(a_col[l]) * to_double(b_col[l]);
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    ref[blockIdx.x] = partial[0];
    got[blockIdx.x] = to_double(c[row + col * m]);
  }
}

__global__ void triad_kernel(double2* a, const double2* b, const double2* c, double scalar, std::int64_t n2) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n2; i += stride) {
    const double2 x = b[i];
    const double2 y = c[i];
    a[i] = make_double2(x.x + scalar * y.x, x.y + scalar * y.y);
  }
}

__global__ void triad_tail_kernel(double* a, const double* b, const double* c, double scalar, std::int64_t i) {
  a[i] = b[i] + scalar * c[i];
}

// 16-byte loads and stores, four in flight per thread before the first store.
__global__ void copy_sm_kernel(int4* dst, const int4* src, std::int64_t n16) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (; i + 3 * stride < n16; i += 4 * stride) {
    const int4 v0 = src[i];
    const int4 v1 = src[i + stride];
    const int4 v2 = src[i + 2 * stride];
    const int4 v3 = src[i + 3 * stride];
    dst[i] = v0;
    dst[i + stride] = v1;
    dst[i + 2 * stride] = v2;
    dst[i + 3 * stride] = v3;
  }
  for (; i < n16; i += stride) dst[i] = src[i];
}

__global__ void fill_collective_kernel(float* dst, std::int64_t n, int rank, std::int64_t first) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = collective_value(rank, static_cast<std::uint64_t>(first + i));
  }
}

__global__ void wait_flag_kernel(const volatile int* flag, int* timed_out, unsigned long long timeout_ns) {
  unsigned long long start = 0, now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  // Each read of `flag` crosses PCIe to host memory (volatile: never cached in a register).
  while (*flag == 0) {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    if (now - start > timeout_ns) {
      *timed_out = 1;
      return;
    }
  }
}

__global__ void poison_kernel(float* dst, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i] = nanf("");
  }
}

template <typename T>
__device__ bool unwritten(T v) {
  return !isfinite(to_double(v));
}
template <>
__device__ bool unwritten<std::int32_t>(std::int32_t v) {
  return v == kInt32Poison;
}

template <typename T>
__global__ void count_unwritten_kernel(const T* src, std::int64_t n, unsigned long long* count) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  unsigned long long mine = 0;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    if (unwritten(src[i])) ++mine;
  }
  if (mine != 0) atomicAdd(count, mine);
}

template <typename T>
void count_unwritten_as(const void* src, std::int64_t n, unsigned long long* count, cudaStream_t stream) {
  count_unwritten_kernel<T><<<blocks_for(n, 4), kThreads, 0, stream>>>(static_cast<const T*>(src), n, count);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

template <typename TIn, typename TOut>
void spot_check_as(const void* a, const void* b, const void* c, std::int64_t m, std::int64_t k,
                   const std::int64_t* rows, const std::int64_t* cols, int count, double* ref, double* got,
                   cudaStream_t stream) {
  spot_check_kernel<TIn, TOut><<<count, kThreads, 0, stream>>>(static_cast<const TIn*>(a), static_cast<const TIn*>(b),
                                                               static_cast<const TOut*>(c), m, k, rows, cols, ref, got);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

}  // namespace

void launch_fill_random(void* dst, ElemType type, std::int64_t n, std::uint64_t seed, cudaStream_t stream) {
  if (n <= 0) return;
  const int blocks = blocks_for(n, 4);
  switch (type) {
    case ElemType::kF64:
      fill_float_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<double*>(dst), n, seed);
      break;
    case ElemType::kF32:
      fill_float_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<float*>(dst), n, seed);
      break;
    case ElemType::kF16:
      fill_float_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__half*>(dst), n, seed);
      break;
    case ElemType::kBf16:
      fill_float_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__nv_bfloat16*>(dst), n, seed);
      break;
    case ElemType::kFp8E4M3:
      fill_float_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<__nv_fp8_e4m3*>(dst), n, seed);
      break;
    case ElemType::kI8:
      fill_int_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<std::int8_t*>(dst), n, seed);
      break;
    case ElemType::kI32:
      fill_int_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<std::int32_t*>(dst), n, seed);
      break;
  }
  HEADROOM_CUDA_CHECK_LAUNCH();
}

void launch_gemm_spot_check(const void* a, const void* b, const void* c, ElemType in_type, ElemType out_type,
                            std::int64_t m, std::int64_t k, const std::int64_t* rows, const std::int64_t* cols,
                            int count, double* ref, double* got, cudaStream_t stream) {
  if (count <= 0) return;
  if (in_type == ElemType::kF64 && out_type == ElemType::kF64) {
    spot_check_as<double, double>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else if (in_type == ElemType::kF32 && out_type == ElemType::kF32) {
    spot_check_as<float, float>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else if (in_type == ElemType::kF16 && out_type == ElemType::kF16) {
    spot_check_as<__half, __half>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else if (in_type == ElemType::kBf16 && out_type == ElemType::kBf16) {
    spot_check_as<__nv_bfloat16, __nv_bfloat16>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else if (in_type == ElemType::kFp8E4M3 && out_type == ElemType::kBf16) {
    spot_check_as<__nv_fp8_e4m3, __nv_bfloat16>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else if (in_type == ElemType::kI8 && out_type == ElemType::kI32) {
    spot_check_as<std::int8_t, std::int32_t>(a, b, c, m, k, rows, cols, count, ref, got, stream);
  } else {
    throw std::invalid_argument("launch_gemm_spot_check: unsupported input/output type pair");
  }
}

void launch_triad(double* a, const double* b, const double* c, double scalar, std::int64_t n, int blocks,
                  cudaStream_t stream) {
  if (n <= 0) return;
  const std::int64_t n2 = n / 2;
  if (n2 > 0) {
    triad_kernel<<<blocks, kThreads, 0, stream>>>(reinterpret_cast<double2*>(a), reinterpret_cast<const double2*>(b),
                                                  reinterpret_cast<const double2*>(c), scalar, n2);
    HEADROOM_CUDA_CHECK_LAUNCH();
  }
  if (n % 2 != 0) {
    triad_tail_kernel<<<1, 1, 0, stream>>>(a, b, c, scalar, n - 1);
    HEADROOM_CUDA_CHECK_LAUNCH();
  }
}

void launch_copy_sm(void* dst, const void* src, std::int64_t bytes, int blocks, cudaStream_t stream) {
  if (bytes % 16 != 0) throw std::invalid_argument("launch_copy_sm: bytes must be a multiple of 16");
  if (bytes == 0) return;
  copy_sm_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<int4*>(dst), static_cast<const int4*>(src), bytes / 16);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

void launch_fill_collective(float* dst, std::int64_t n, int rank, std::int64_t first_index, cudaStream_t stream) {
  if (n <= 0) return;
  fill_collective_kernel<<<blocks_for(n, 4), kThreads, 0, stream>>>(dst, n, rank, first_index);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

void launch_count_unwritten(const void* src, ElemType type, std::int64_t n, unsigned long long* count,
                            cudaStream_t stream) {
  if (n <= 0) return;
  switch (type) {
    case ElemType::kF64:
      return count_unwritten_as<double>(src, n, count, stream);
    case ElemType::kF32:
      return count_unwritten_as<float>(src, n, count, stream);
    case ElemType::kF16:
      return count_unwritten_as<__half>(src, n, count, stream);
    case ElemType::kBf16:
      return count_unwritten_as<__nv_bfloat16>(src, n, count, stream);
    case ElemType::kI32:
      return count_unwritten_as<std::int32_t>(src, n, count, stream);
    case ElemType::kFp8E4M3:
    case ElemType::kI8:
      break;
  }
  throw std::invalid_argument("launch_count_unwritten: only fp64, fp32, fp16, bf16 and int32 outputs are checked");
}

void launch_wait_flag(const volatile int* flag, int* timed_out, unsigned long long timeout_ns, cudaStream_t stream) {
  wait_flag_kernel<<<1, 1, 0, stream>>>(flag, timed_out, timeout_ns);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

void launch_poison(float* dst, std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  poison_kernel<<<blocks_for(n, 4), kThreads, 0, stream>>>(dst, n);
  HEADROOM_CUDA_CHECK_LAUNCH();
}

}  // namespace headroom::bench::gpu
