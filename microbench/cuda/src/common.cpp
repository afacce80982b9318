#include "common.hpp"

#include <algorithm>
#include <cctype>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/plan.hpp"
#include "headroom/gpu/resources.hpp"
#include "nvml.hpp"

namespace headroom::bench::gpu {

namespace {
struct Presence {
  int count = 0;
  std::string reason;
};
const Presence& presence() {
  // Asked once per process: without a driver cudaGetDeviceCount returns 35 (or 34 with the
  // stub library) and leaves the count unwritten, hence the 0 it starts from.
  static const Presence p = [] {
    Presence out;
    int count = 0;
    const cudaError_t rc = cudaGetDeviceCount(&count);
    out.reason = absence_reason(static_cast<int>(rc), cudaGetErrorName(rc), count);
    out.count = out.reason.empty() ? count : 0;
    if (rc != cudaSuccess) (void)cudaGetLastError();  // clear it so later checks start clean
    return out;
  }();
  return p;
}
}  // namespace

int device_count() {
  return presence().count;
}
std::string device_absence_reason() {
  return presence().reason;
}

int require_devices() {
  if (device_count() == 0) throw core::Waived(device_absence_reason());
  return device_count();
}

DeviceProps device_props(int device) {
  cudaDeviceProp p{};
  HEADROOM_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  DeviceProps out;
  out.index = device;
  out.name = p.name;
  out.cc_major = p.major;
  out.cc_minor = p.minor;
  out.sm_count = p.multiProcessorCount;
  out.l2_bytes = static_cast<double>(p.l2CacheSize);
  out.total_bytes = static_cast<double>(p.totalGlobalMem);
  char bus[32] = {};
  HEADROOM_CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, device));
  out.pci_bus_id = sysfs_pci_name(bus);
  return out;
}

double free_device_bytes() {
  std::size_t free_b = 0, total_b = 0;
  HEADROOM_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  return static_cast<double>(free_b);
}

std::vector<double> sample_device(RunContext& ctx, cudaStream_t stream,
                                  const std::function<void(std::int64_t call)>& launch) {
  Event start, stop;
  std::int64_t call = 0;
  // The first call of a kernel pays for loading it (CUDA_MODULE_LOADING=LAZY is the default since
  // CUDA 12.2) and the first copy for driver set-up: timing that call would make a µs-long kernel
  // look ms-long and leave `inner` at 1. So one untimed call first, then the timed one.
  launch(call++);
  start.record(stream);
  launch(call++);
  stop.record(stream);
  const double one_s = elapsed_s(start, stop);
  // Event resolution is about 0.5 µs: a sample of at least 1 ms keeps it below 0.1 %.
  const double min_sample_s = std::max(ctx.policy().min_time_s, 1e-3);
  const std::int64_t inner = calibrate_inner(one_s, min_sample_s, 1 << 20);
  return sample(ctx, [&] {
    start.record(stream);
    for (std::int64_t i = 0; i < inner; ++i) launch(call++);
    stop.record(stream);
    return elapsed_s(start, stop) / static_cast<double>(inner);
  });
}

std::vector<double> sample_f64(const double* dev, std::int64_t n, int count, cudaStream_t stream) {
  const std::int64_t stride = sample_stride(n, count);
  const std::int64_t rows = (n + stride - 1) / stride;
  std::vector<double> out(static_cast<std::size_t>(rows));
  // One strided 2-D copy: width one double, source pitch one stride.
  HEADROOM_CUDA_CHECK(cudaMemcpy2DAsync(out.data(), sizeof(double), dev,
                                        static_cast<std::size_t>(stride) * sizeof(double), sizeof(double),
                                        static_cast<std::size_t>(rows), cudaMemcpyDeviceToHost, stream));
  HEADROOM_CUDA_CHECK(cudaStreamSynchronize(stream));
  return out;
}

bool check_pattern_f64(const double* dev, std::int64_t n, std::uint64_t seed, cudaStream_t stream) {
  const int count = 4096;
  const std::int64_t stride = sample_stride(n, count);
  const auto got = sample_f64(dev, n, count, stream);
  for (std::size_t j = 0; j < got.size(); ++j) {
    if (got[j] != uniform_pm1(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(j) * stride))) return false;
  }
  return true;
}

void poison_device(void* dev, std::size_t bytes, unsigned char byte, int device) {
  DeviceGuard guard(device);
  HEADROOM_CUDA_CHECK(cudaMemset(dev, byte, bytes));
  HEADROOM_CUDA_CHECK(cudaDeviceSynchronize());
}

std::int64_t count_unwritten(const void* dev, ElemType type, std::int64_t n, int device) {
  DeviceGuard guard(device);
  Stream stream;
  DeviceBuffer counter(sizeof(unsigned long long));
  HEADROOM_CUDA_CHECK(cudaMemsetAsync(counter.get(), 0, counter.bytes(), stream.get()));
  launch_count_unwritten(dev, type, n, counter.as<unsigned long long>(), stream.get());
  unsigned long long count = 0;
  HEADROOM_CUDA_CHECK(cudaMemcpyAsync(&count, counter.get(), sizeof count, cudaMemcpyDeviceToHost, stream.get()));
  stream.synchronize();
  return static_cast<std::int64_t>(count);
}

void note_sensors(RunContext& ctx, const std::string& when, const DeviceProps& props) {
  ctx.note(when + ": " + describe_sensors(read_sensors(props.pci_bus_id)));
}

}  // namespace headroom::bench::gpu
