// On a machine with a CUDA GPU: the kernels and every CUDA / NCCL family run, pass and verify.
// Without a device every test is skipped (GTEST_SKIP), so CI builds and runs this file too.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "common.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/core/errors.hpp"
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
  const auto r = run_filter("cuda.gemm.*");
  expect_passed_or_waived(r);
  for (const auto& c : r.cases) {  // with two or more candidates, the runner-up's margin is reported
    if (c.status != core::Status::kPassed || c.message.find("fastest of 1 usable cuBLASLt") != std::string::npos)
      continue;
    EXPECT_NE(c.message.find(", runner-up #"), std::string::npos) << c.message;
  }
}

TEST(GpuDevice, Fp8FastAccumulationIsItsOwnCase) {
  REQUIRE_GPU();
  const auto r = run_filter("cuda.gemm.fp8*");
  expect_passed_or_waived(r);
  int fast = 0, exact = 0;
  for (const auto& c : r.cases) {
    const bool says_fast = c.message.find("fast accumulation") != std::string::npos;
    if (c.name == "cuda.gemm.fp8_fast") {
      ++fast;
      EXPECT_TRUE(says_fast || c.status == core::Status::kWaived) << c.message;
    } else {
      ++exact;
      EXPECT_EQ(c.name, "cuda.gemm.fp8");
      EXPECT_FALSE(says_fast) << c.message;
    }
  }
  EXPECT_GT(fast, 0);
  EXPECT_EQ(fast, exact);  // the same shapes with either accumulation
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
#ifndef HEADROOM_HAVE_NCCL
  GTEST_SKIP() << "built without NCCL: there are no nccl.* cases";
#endif
  expect_passed_or_waived(run_filter("nccl.*"));
}

TEST(GpuDevice, CountUnwrittenSeesThePoisonUntilEveryElementIsWritten) {
  REQUIRE_GPU();
  // Each output type the backends check: poisoned, every element counts; filled with the random
  // pattern (as a kernel would write it), none does; one element poisoned again, exactly one.
  struct Case {
    gpu::ElemType type;
    std::size_t elem_bytes;
    unsigned char poison;
  };
  const Case cases[] = {{gpu::ElemType::kF64, 8, gpu::kFloatPoisonByte},
                        {gpu::ElemType::kF32, 4, gpu::kFloatPoisonByte},
                        {gpu::ElemType::kF16, 2, gpu::kFloatPoisonByte},
                        {gpu::ElemType::kBf16, 2, gpu::kFloatPoisonByte},
                        {gpu::ElemType::kI32, 4, gpu::kInt32PoisonByte}};
  const std::int64_t n = 1000003;  // odd, not a multiple of the block size: the tail counts too
  gpu::DeviceGuard guard(0);
  for (const auto& c : cases) {
    gpu::DeviceBuffer buf(static_cast<std::size_t>(n) * c.elem_bytes);
    gpu::poison_device(buf.get(), buf.bytes(), c.poison, 0);
    EXPECT_EQ(gpu::count_unwritten(buf.get(), c.type, n, 0), n) << static_cast<int>(c.type);
    gpu::Stream s;
    gpu::launch_fill_random(buf.get(), c.type, n, 7, s.get());
    s.synchronize();
    EXPECT_EQ(gpu::count_unwritten(buf.get(), c.type, n, 0), 0) << static_cast<int>(c.type);
    auto* last = static_cast<unsigned char*>(buf.get()) + (static_cast<std::size_t>(n) - 1) * c.elem_bytes;
    gpu::poison_device(last, c.elem_bytes, c.poison, 0);
    EXPECT_EQ(gpu::count_unwritten(buf.get(), c.type, n, 0), 1) << static_cast<int>(c.type);
  }
}

TEST(GpuDevice, GemmChecksEveryElementOfC) {
  REQUIRE_GPU();
  const auto r = run_filter("cuda.gemm.int8");
  expect_passed_or_waived(r);
  for (const auto& c : r.cases) {
    if (c.status != core::Status::kPassed) continue;
    // int8 writes int32: its poison must be the 0x80 pattern (0xFF would be -1, a real result),
    // and the message reports the full-matrix count.
    EXPECT_NE(c.message.find(" 0 of "), std::string::npos) << c.message;
    EXPECT_NE(c.message.find("elements of C unwritten"), std::string::npos) << c.message;
  }
}

TEST(GpuDevice, NcclInPlaceCasesVerify) {
  REQUIRE_GPU();
  // The quick suite has no in-place cases; run the standard suite's in-place instances up to
  // 64 MiB directly (the in-place all_gather check once passed on stale data).
  bench::Registry registry;
  bench::register_all(registry, bench::BackendOptions{});
  core::RunPolicy policy = core::policy_for_suite("quick");
  policy.repetitions = 3;
  bench::RunContext ctx(policy, nullptr);
  int ran = 0;
  for (auto* b : registry.matching("nccl.*")) {
    if (b->info().name.find("alpha_beta") != std::string::npos) continue;
    for (const auto& params : b->instances("standard")) {
      if (!bench::param_bool(params, "in_place") || bench::param_int(params, "size_bytes") > (64LL << 20)) continue;
      try {
        const core::CaseResult res = b->run(params, ctx);
        EXPECT_EQ(res.verified, std::optional<bool>(true)) << b->info().name << ": " << res.message;
        ++ran;
      } catch (const headroom::core::Waived& w) {
        GTEST_SKIP() << w.what();
      }
    }
  }
  if (ran == 0) GTEST_SKIP() << "no in-place NCCL instances (fewer than 2 ranks)";
}

TEST(GpuDevice, StartLatchHoldsTheStreamUntilReleasedAndTimesOut) {
  REQUIRE_GPU();
  gpu::DeviceGuard guard(0);
  void* p = nullptr;
  ASSERT_EQ(cudaHostAlloc(&p, 2 * sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable), cudaSuccess);
  auto* host = static_cast<volatile int*>(p);
  void* dev = nullptr;
  ASSERT_EQ(cudaHostGetDevicePointer(&dev, p, 0), cudaSuccess);
  auto* flag = static_cast<int*>(dev);
  host[0] = 0;
  host[1] = 0;
  gpu::Stream s;
  // Held: 5 s allowed, still waiting 50 ms later; released: done, not timed out.
  gpu::launch_wait_flag(flag, flag + 1, 5'000'000'000ULL, s.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(cudaStreamQuery(s.get()), cudaErrorNotReady);
  host[0] = 1;
  s.synchronize();
  EXPECT_EQ(host[1], 0);
  // Never released: gives up after 1 ms and says so.
  host[0] = 0;
  gpu::launch_wait_flag(flag, flag + 1, 1'000'000ULL, s.get());
  s.synchronize();
  EXPECT_EQ(host[1], 1);
  (void)cudaFreeHost(p);
}

TEST(GpuDevice, PcieAllGpusAtOnceVerifiesAndStaysWithinTheSumOfOneGpuRates) {
  REQUIRE_GPU();
  const auto all = run_filter("cuda.pcie.all.*");
  ASSERT_EQ(all.cases.size(), 3u);  // quick: 256 MiB per GPU, h2d, d2h, bidir
  if (gpu::device_count() < 2) {
    for (const auto& c : all.cases) {
      EXPECT_EQ(c.status, core::Status::kWaived) << c.name;
      EXPECT_NE(c.message.find("needs at least 2 GPUs"), std::string::npos) << c.message;
    }
    GTEST_SKIP() << "one GPU: the all-at-once cases are waived (checked above)";
  }
  expect_passed_or_waived(all);
  const auto one = run_filter("cuda.pcie.h2d");
  const auto one_d2h = run_filter("cuda.pcie.d2h");
  // One GPU's pinned 256 MiB rate (cuda:0) per direction.
  const auto single = [](const core::Results& r) {
    for (const auto& c : r.cases) {
      const auto* mem = core::find_param(c.params, "memory");
      const auto* size = core::find_param(c.params, "size_bytes");
      if (c.status == core::Status::kPassed && mem && std::get<std::string>(*mem) == "pinned" && size &&
          std::get<std::int64_t>(*size) == (256LL << 20)) {
        return c.metric("bytes_per_s")->value.value_or(0);
      }
    }
    return 0.0;
  };
  for (const auto& c : all.cases) {
    if (c.status != core::Status::kPassed) continue;
    EXPECT_EQ(std::get<std::int64_t>(*core::find_param(c.params, "gpus")), gpu::device_count());
    EXPECT_NE(c.message.find("GPUs at once"), std::string::npos) << c.message;
    EXPECT_NE(c.message.find("cuda:1 "), std::string::npos) << c.message;
    const double event = *c.metric("bytes_per_s")->value;
    const double host = *c.metric("host_timed_bytes_per_s")->value;
    // The host clock adds the waiting thread's wake-up, never takes time away; at 256 MiB per GPU
    // it should be within a few percent (docs/methodology.md): far apart means the events do not
    // cover the copies.
    EXPECT_LE(host, event * 1.001) << c.message;
    EXPECT_GE(host, event * 0.95) << c.message;
    // Together the GPUs cannot beat each one alone by more than the run-to-run spread.
    const double alone = c.name == "cuda.pcie.all.h2d"   ? single(one)
                         : c.name == "cuda.pcie.all.d2h" ? single(one_d2h)
                                                         : 0;
    if (alone > 0) EXPECT_LE(event, 1.1 * alone * gpu::device_count()) << c.message;
  }
}
