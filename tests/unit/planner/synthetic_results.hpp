#pragma once
// A synthetic results document (not a real measurement) used by the profile tests and written to
// fixtures/synthetic_results.json. Values are round numbers in the range of an H100 SXM.
#include "headroom/core/results.hpp"

namespace headroom::plan::test {

inline core::Metric metric(const std::string& name, const std::string& unit, double v) {
  core::Metric m;
  m.name = name;
  m.unit = unit;
  m.better = unit == "s" ? core::Better::kLower : core::Better::kHigher;
  m.value = v;
  m.samples = {v};
  core::finalize_metric(m, core::Statistic::kMedian);
  return m;
}

inline core::CaseResult make_case(const std::string& name, core::Params params, std::vector<core::Metric> metrics) {
  core::CaseResult c;
  c.name = name;
  c.params = std::move(params);
  c.metrics = std::move(metrics);
  c.samples_s = {0.001};
  // GPU cases on GPU 0 (listed in devices, as the results loader requires), the rest on the host.
  c.device = name.starts_with("cuda.") || name.starts_with("nccl.") ? "cuda:0" : "host";
  return c;
}

inline core::Results synthetic_results() {
  core::Results r;
  r.run.id = "0000000000000000";
  r.run.started_at = "2026-11-22T00:00:00Z";
  r.run.finished_at = "2026-11-22T00:01:00Z";
  r.run.tool_version = "test";
  r.run.command_line = "synthetic";
  r.run.notes = {"SYNTHETIC FIXTURE for the planner tests: not a measurement of any machine"};
  r.host.hostname = "fixture";
  r.host.cpu_model = "synthetic CPU";
  r.host.memory_bytes = std::int64_t{2048} << 30;  // 2 TiB, a DGX H100's
  core::DeviceInfo d;
  d.name = "NVIDIA H100 80GB HBM3";
  d.memory_bytes = 85'520'809'984;
  d.power_limit_w = 700;
  r.devices.push_back(d);
  using P = core::Param;
  r.cases.push_back(make_case("cuda.gemm.bf16", {P{"m", std::int64_t{8192}}, P{"n", std::int64_t{8192}}, P{"k", std::int64_t{8192}}},
                              {metric("flop_per_s", "FLOP/s", 750e12)}));
  r.cases.push_back(make_case("cuda.gemm.bf16", {P{"m", std::int64_t{4096}}, P{"n", std::int64_t{4096}}, P{"k", std::int64_t{4096}}},
                              {metric("flop_per_s", "FLOP/s", 700e12)}));
  r.cases.push_back(make_case("cuda.gemm.fp32", {P{"m", std::int64_t{8192}}, P{"n", std::int64_t{8192}}, P{"k", std::int64_t{8192}}},
                              {metric("flop_per_s", "FLOP/s", 50e12)}));
  r.cases.push_back(make_case("cuda.hbm.copy", {P{"size_bytes", std::int64_t{1} << 30}}, {metric("bytes_per_s", "B/s", 2.9e12)}));
  r.cases.push_back(make_case("cuda.pcie.h2d", {P{"size_bytes", std::int64_t{1} << 28}}, {metric("bytes_per_s", "B/s", 54.8e9)}));
  r.cases.push_back(make_case("cuda.pcie.d2h", {P{"size_bytes", std::int64_t{1} << 28}}, {metric("bytes_per_s", "B/s", 46.8e9)}));
  r.cases.push_back(make_case("cpu.stream.triad", {P{"size_bytes", std::int64_t{1} << 28}}, {metric("bytes_per_s", "B/s", 200e9)}));
  for (double size : {1024.0, 8589934592.0}) {
    const double bus = size < 1e6 ? 0.2e9 : 480e9;
    const double alg = bus / (2.0 * 7 / 8);
    r.cases.push_back(make_case("nccl.all_reduce", {P{"size_bytes", static_cast<std::int64_t>(size)}, P{"ranks", std::int64_t{8}}},
                                {metric("algbw_bytes_per_s", "B/s", alg), metric("busbw_bytes_per_s", "B/s", bus),
                                 metric("time_s", "s", size / alg)}));
  }
  r.cases.push_back(make_case("storage.seq_read", {P{"size_bytes", std::int64_t{1} << 30}}, {metric("bytes_per_s", "B/s", 1.2e9)}));
  core::CaseResult waived = make_case("cuda.gemm.fp8", {}, {});
  waived.status = core::Status::kWaived;
  waived.message = "synthetic: not run";
  r.cases.push_back(waived);
  return r;
}

}  // namespace headroom::plan::test
