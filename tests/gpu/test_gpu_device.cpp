// On a machine with a CUDA GPU: the kernels and every CUDA / NCCL family run, pass and verify.
// Without a device every test is skipped (GTEST_SKIP), so CI builds and runs this file too.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/core/results.hpp"
#include "headroom/gpu/kernels.cuh"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/resources.hpp"

namespace bench = headroom::bench;
namespace gpu = headroom::bench::gpu;
namespace core = headroom::core;

namespace {

#define REQUIRE_GPU()                                                           \
  do {                                                                          \
    if (gpu::device_count() == 0) GTEST_SKIP() << gpu::device_absence_reason(); \
  } while (0)

core::Results run_filter(const std::string& filter) {
  bench::Registry registry;
  bench::register_all(registry, bench::BackendOptions{});
  bench::RunOptions opt;
  opt.policy = core::policy_for_suite("quick");
  opt.policy.repetitions = 3;
  opt.filter = filter;
  bench::Sink quiet;
  return bench::run_benchmarks(registry, opt, quiet, nullptr);
}

void expect_passed_or_waived(const core::Results& r) {
  ASSERT_FALSE(r.cases.empty());
  for (const auto& c : r.cases) {
    EXPECT_NE(c.status, core::Status::kError) << c.name << " " << core::params_key(c.params) << ": " << c.message;
    if (c.status == core::Status::kPassed) {
      EXPECT_EQ(c.verified, std::optional<bool>(true)) << c.name << ": " << c.message;
      ASSERT_FALSE(c.metrics.empty());
      EXPECT_GT(c.metrics.front().value.value_or(0), 0.0) << c.name;
    }
  }
}

}  // namespace

TEST(GpuDevice, InventoryHasIdentity) {
  REQUIRE_GPU();
  const auto devices = bench::collect_devices();
  ASSERT_EQ(static_cast<int>(devices.size()), gpu::device_count());
  for (const auto& d : devices) {
    EXPECT_FALSE(d.name.empty());
    ASSERT_TRUE(d.uuid.has_value());
    EXPECT_EQ(d.uuid->rfind("GPU-", 0), 0u);
    EXPECT_TRUE(d.compute_capability.has_value());
    EXPECT_GT(d.memory_bytes.value_or(0), 0);
    EXPECT_TRUE(d.cuda_runtime_version.has_value());
    EXPECT_TRUE(d.cublas_version.has_value());
  }
}

TEST(GpuDevice, FillIsRandomAndSpotCheckMatchesCpu) {
  REQUIRE_GPU();
  const std::int64_t m = 64, n = 48, k = 80;
  gpu::DeviceGuard guard(0);
  gpu::Stream s;
  gpu::DeviceBuffer a(m * k * sizeof(float)), b(k * n * sizeof(float)), c(m * n * sizeof(float));
  gpu::launch_fill_random(a.get(), gpu::ElemType::kF32, m * k, 1, s.get());
  gpu::launch_fill_random(b.get(), gpu::ElemType::kF32, k * n, 2, s.get());
  std::vector<float> ha(static_cast<std::size_t>(m * k)), hb(static_cast<std::size_t>(k * n));
  ASSERT_EQ(cudaMemcpyAsync(ha.data(), a.get(), a.bytes(), cudaMemcpyDeviceToHost, s.get()), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(hb.data(), b.get(), b.bytes(), cudaMemcpyDeviceToHost, s.get()), cudaSuccess);
  s.synchronize();
  for (std::size_t i = 0; i < ha.size(); ++i) {
    ASSERT_EQ(ha[i], static_cast<float>(gpu::uniform_pm1(1, i))) << i;  // the pattern, never zeros
  }
  // C = Aᵀ·B (TN) on the CPU in double, rounded to float, uploaded; the spot check must agree.
  std::vector<float> hc(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t l = 0; l < k; ++l)
        sum += double(ha[static_cast<std::size_t>(i * k + l)]) * hb[static_cast<std::size_t>(j * k + l)];
      hc[static_cast<std::size_t>(i + j * m)] = static_cast<float>(sum);
    }
  }
  ASSERT_EQ(cudaMemcpy(c.get(), hc.data(), c.bytes(), cudaMemcpyHostToDevice), cudaSuccess);
  const std::vector<std::int64_t> rows = {0, 63, 5, 17}, cols = {0, 47, 30, 2};
  gpu::DeviceBuffer dr(4 * sizeof(std::int64_t)), dc(4 * sizeof(std::int64_t)), ref(4 * sizeof(double)),
      got(4 * sizeof(double));
  ASSERT_EQ(cudaMemcpy(dr.get(), rows.data(), dr.bytes(), cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(dc.get(), cols.data(), dc.bytes(), cudaMemcpyHostToDevice), cudaSuccess);
  gpu::launch_gemm_spot_check(a.get(), b.get(), c.get(), gpu::ElemType::kF32, gpu::ElemType::kF32, m, k,
                              dr.as<std::int64_t>(), dc.as<std::int64_t>(), 4, ref.as<double>(), got.as<double>(),
                              s.get());
  std::vector<double> href(4), hgot(4);
  ASSERT_EQ(cudaMemcpyAsync(href.data(), ref.get(), ref.bytes(), cudaMemcpyDeviceToHost, s.get()), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(hgot.data(), got.get(), got.bytes(), cudaMemcpyDeviceToHost, s.get()), cudaSuccess);
  s.synchronize();
  for (int e = 0; e < 4; ++e) {
    EXPECT_EQ(hgot[static_cast<std::size_t>(e)], double(hc[static_cast<std::size_t>(rows[e] + cols[e] * m)]));
    EXPECT_NEAR(href[static_cast<std::size_t>(e)], hgot[static_cast<std::size_t>(e)], 1e-5 * std::sqrt(double(k)));
  }
}

TEST(GpuDevice, GemmAllPrecisionsPassOrWaive) {
  REQUIRE_GPU();
  expect_passed_or_waived(run_filter("cuda.gemm.*"));
}

TEST(GpuDevice, HbmCopyCountsReadAndWrite) {
  REQUIRE_GPU();
  const auto r = run_filter("cuda.hbm.*");
  expect_passed_or_waived(r);
  for (const auto& c : r.cases) {
    if (c.status != core::Status::kPassed) continue;
    const double factor = c.name == "cuda.hbm.copy" ? 2.0 : 3.0;
    EXPECT_NEAR(*c.metric("bytes_per_s")->value, factor * *c.metric("payload_bytes_per_s")->value,
                1e-9 * *c.metric("bytes_per_s")->value);
  }
}

TEST(GpuDevice, PcieAndPeerPassOrWaive) {
  REQUIRE_GPU();
  expect_passed_or_waived(run_filter("cuda.pcie.*"));
  expect_passed_or_waived(run_filter("cuda.peer.*"));
}

TEST(GpuDevice, NcclCollectivesPassOrWaive) {
  REQUIRE_GPU();
  expect_passed_or_waived(run_filter("nccl.*"));
}
