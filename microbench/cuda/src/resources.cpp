#include "headroom/gpu/resources.hpp"

#include <fmt/format.h>

#include "headroom/gpu/check.hpp"

namespace headroom::bench::gpu {

std::string api_error_message(const char* expr, const char* file, int line, const std::string& name,
                              const std::string& text) {
  return fmt::format("{}:{}: {} failed: {} ({})", file, line, expr, name, text);
}

void throw_cuda_error(cudaError_t status, const char* expr, const char* file, int line) {
  const std::string name = cudaGetErrorName(status);
  throw ApiError(name, api_error_message(expr, file, line, name, cudaGetErrorString(status)));
}

void throw_cublas_error(cublasStatus_t status, const char* expr, const char* file, int line) {
  const std::string name = cublasLtGetStatusName(status);
  throw ApiError(name, api_error_message(expr, file, line, name, cublasLtGetStatusString(status)));
}

DeviceGuard::DeviceGuard(int device) {
  HEADROOM_CUDA_CHECK(cudaGetDevice(&previous_));
  HEADROOM_CUDA_CHECK(cudaSetDevice(device));
}
DeviceGuard::~DeviceGuard() {
  (void)cudaSetDevice(previous_);
}

Stream::Stream() {
  HEADROOM_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking));
}
Stream::~Stream() {
  if (s_ != nullptr) (void)cudaStreamDestroy(s_);
}
Stream& Stream::operator=(Stream&& o) noexcept {
  if (this != &o) {
    if (s_ != nullptr) (void)cudaStreamDestroy(s_);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}
void Stream::synchronize() const {
  HEADROOM_CUDA_CHECK(cudaStreamSynchronize(s_));
}

Event::Event() {
  HEADROOM_CUDA_CHECK(cudaEventCreate(&e_));
}
Event::~Event() {
  if (e_ != nullptr) (void)cudaEventDestroy(e_);
}
Event& Event::operator=(Event&& o) noexcept {
  if (this != &o) {
    if (e_ != nullptr) (void)cudaEventDestroy(e_);
    e_ = std::exchange(o.e_, nullptr);
  }
  return *this;
}
void Event::record(cudaStream_t stream) const {
  HEADROOM_CUDA_CHECK(cudaEventRecord(e_, stream));
}

double elapsed_s(const Event& start, const Event& stop) {
  HEADROOM_CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0;
  HEADROOM_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms) * 1e-3;
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes > 0) HEADROOM_CUDA_CHECK(cudaMalloc(&p_, bytes));
}
DeviceBuffer::~DeviceBuffer() {
  if (p_ != nullptr) (void)cudaFree(p_);
}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) (void)cudaFree(p_);
    p_ = std::exchange(o.p_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

PinnedBuffer::PinnedBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes > 0) HEADROOM_CUDA_CHECK(cudaMallocHost(&p_, bytes));
}
PinnedBuffer::~PinnedBuffer() {
  if (p_ != nullptr) (void)cudaFreeHost(p_);
}
PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) (void)cudaFreeHost(p_);
    p_ = std::exchange(o.p_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

LtHandle::LtHandle() {
  HEADROOM_CUBLAS_CHECK(cublasLtCreate(&h_));
}
LtHandle::~LtHandle() {
  if (h_ != nullptr) (void)cublasLtDestroy(h_);
}
LtHandle& LtHandle::operator=(LtHandle&& o) noexcept {
  if (this != &o) {
    if (h_ != nullptr) (void)cublasLtDestroy(h_);
    h_ = std::exchange(o.h_, nullptr);
  }
  return *this;
}

}  // namespace headroom::bench::gpu
