#pragma once
/// Helpers every CUDA benchmark shares: device discovery that waives honestly, device properties,
/// CUDA-event timed sampling under the run policy, and sensor notes.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "headroom/bench/benchmark.hpp"
#include "headroom/gpu/kernels.cuh"

namespace headroom::bench::gpu {

/// Usable CUDA devices, 0 when there is none or no driver (never throws).
int device_count();
/// Why device_count() is 0 ("no CUDA device/driver found (...)"); empty when there are devices.
std::string device_absence_reason();
/// Throws core::Waived with device_absence_reason() when there is no device; else the count.
int require_devices();

struct DeviceProps {
  int index = 0;
  std::string name;
  int cc_major = 0;
  int cc_minor = 0;
  int sm_count = 0;
  double l2_bytes = 0;
  double total_bytes = 0;
  std::string pci_bus_id;  ///< "0000:3b:00.0" (sysfs form)
};
DeviceProps device_props(int device);
/// Free memory of the current device, bytes.
double free_device_bytes();

/// Event-timed sampling of `launch` (which enqueues one call on `stream`; its argument counts
/// calls, for buffer rotation): one untimed call, then one timed call from which the number of
/// calls per sample is calibrated so a sample lasts at least max(policy.min_time_s, 1 ms); then
/// warm-up and repetitions as the policy says. Returns seconds per call, one value per repetition.
std::vector<double> sample_device(RunContext& ctx, cudaStream_t stream,
                                  const std::function<void(std::int64_t call)>& launch);

/// Copies `count` doubles spread evenly over the `n` at `dev` (current device) to the host:
/// element j of the result is dev[j · sample_stride(n, count)].
std::vector<double> sample_f64(const double* dev, std::int64_t n, int count, cudaStream_t stream);
/// True when the sampled doubles of `dev` equal uniform_pm1(seed, index) exactly (a copy of a
/// buffer filled with launch_fill_random(…, kF64, …, seed)).
bool check_pattern_f64(const double* dev, std::int64_t n, std::uint64_t seed, cudaStream_t stream);

/// Poisons `bytes` at `dev` (memory of device `device`) with `byte` (pattern.hpp's kFloatPoisonByte
/// or kInt32PoisonByte) and waits for it, so a later check can tell unwritten elements apart.
void poison_device(void* dev, std::size_t bytes, unsigned char byte, int device);
/// How many of the `n` elements of `type` at `dev` (memory of device `device`) were not written
/// after poison_device (launch_count_unwritten over all of them); synchronizes. 0 means every
/// element holds a finite result.
std::int64_t count_unwritten(const void* dev, ElemType type, std::int64_t n, int device);

/// Adds "<when>: sm … MHz, … °C" for the GPU to the case notes.
void note_sensors(RunContext& ctx, const std::string& when, const DeviceProps& props);

}  // namespace headroom::bench::gpu
