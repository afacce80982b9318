// The CPU backend's explicit list of benchmarks: one line per benchmark.
#include "cpu_benchmarks.hpp"
#include "headroom/bench/backends.hpp"

namespace headroom::bench {

void register_cpu(Registry& registry) {
  registry.add(cpu::make_peak_benchmark(cpu::Precision::kFp64));
  registry.add(cpu::make_peak_benchmark(cpu::Precision::kFp32));
  registry.add(cpu::make_clock_benchmark());
  registry.add(cpu::make_gemm_benchmark(cpu::Precision::kFp64));
  registry.add(cpu::make_gemm_benchmark(cpu::Precision::kFp32));
  registry.add(cpu::make_stream_benchmark(core::StreamKernel::kCopy));
  registry.add(cpu::make_stream_benchmark(core::StreamKernel::kScale));
  registry.add(cpu::make_stream_benchmark(core::StreamKernel::kAdd));
  registry.add(cpu::make_stream_benchmark(core::StreamKernel::kTriad));
  registry.add(cpu::make_cache_sweep_benchmark());
}

}  // namespace headroom::bench
