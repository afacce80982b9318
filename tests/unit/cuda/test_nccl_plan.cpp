// Known answers for the NCCL backend's CPU side: sweeps, nccl-tests' counts and bandwidth
// factors, expected values (checked against a simulation of each collective's definition),
// scope and the α-β fit.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/core/errors.hpp"
#include "headroom/gpu/pattern.hpp"
#include "headroom/nccl/plan.hpp"

namespace nccl = headroom::bench::nccl;
namespace core = headroom::core;
using core::Collective;

TEST(NcclSweep, SizesPerSuite) {
  const auto quick = nccl::collective_sizes("quick");
  ASSERT_EQ(quick.size(), 10u);  // 8 B, 64 B, … 1 GiB
  EXPECT_EQ(quick.front(), 8);
  EXPECT_EQ(quick[1], 64);
  EXPECT_EQ(quick.back(), 1LL << 30);
  const auto standard = nccl::collective_sizes("standard");
  EXPECT_EQ(standard.size(), 15u);  // 2^3, 2^5, … 2^31
  EXPECT_EQ(standard.back(), 1LL << 31);
  const auto full = nccl::collective_sizes("full");
  EXPECT_EQ(full.size(), 31u);  // 2^3 … 2^33 = 8 GiB
  EXPECT_EQ(full.back(), 8LL << 30);
  EXPECT_THROW(nccl::collective_sizes("none"), core::InputError);
  EXPECT_EQ(nccl::collectives().size(), 5u);
  EXPECT_TRUE(nccl::has_in_place(Collective::kAllGather));
  EXPECT_FALSE(nccl::has_in_place(Collective::kAllToAll));
}

TEST(NcclCounts, NcclTestsConvention) {
  const std::int64_t mib = 1 << 20;
  auto c = nccl::collective_counts(Collective::kAllReduce, mib, 4, 8);
  EXPECT_EQ(c.send_count, 262144);
  EXPECT_EQ(c.recv_count, 262144);
  EXPECT_EQ(c.call_count, 262144);
  EXPECT_EQ(c.effective_bytes, mib);
  c = nccl::collective_counts(Collective::kAllGather, mib, 4, 8);  // size = the gathered output
  EXPECT_EQ(c.send_count, 32768);
  EXPECT_EQ(c.recv_count, 262144);
  EXPECT_EQ(c.call_count, 32768);
  EXPECT_EQ(c.effective_bytes, mib);
  c = nccl::collective_counts(Collective::kReduceScatter, mib, 4, 8);  // size = the input
  EXPECT_EQ(c.send_count, 262144);
  EXPECT_EQ(c.recv_count, 32768);
  EXPECT_EQ(c.call_count, 32768);
  c = nccl::collective_counts(Collective::kAllToAll, mib, 4, 8);
  EXPECT_EQ(c.send_count, 262144);
  EXPECT_EQ(c.recv_count, 262144);
  EXPECT_EQ(c.call_count, 32768);  // per peer
  c = nccl::collective_counts(Collective::kBroadcast, 12, 4, 8);
  EXPECT_EQ(c.call_count, 3);
  EXPECT_EQ(c.effective_bytes, 12);
  // Tiny sizes: at least one element per rank where the buffer is split.
  c = nccl::collective_counts(Collective::kAllGather, 8, 4, 8);
  EXPECT_EQ(c.send_count, 1);
  EXPECT_EQ(c.effective_bytes, 32);
  c = nccl::collective_counts(Collective::kAllGather, 100, 4, 3);  // 25 elements -> 24
  EXPECT_EQ(c.effective_bytes, 96);
  EXPECT_EQ(c.send_count, 8);
  c = nccl::collective_counts(Collective::kAllReduce, 2, 4, 2);  // below one element
  EXPECT_EQ(c.effective_bytes, 4);
  EXPECT_THROW(nccl::collective_counts(Collective::kAllReduce, 0, 4, 2), core::InputError);
  EXPECT_THROW(nccl::collective_counts(Collective::kAllReduce, 8, 4, 0), core::InputError);
}

TEST(NcclExpected, HandComputedValues) {
  // collective_value(r, i) = ((r+1)·7 + 13·i) mod 17 − 8: v(0,0) = −1, v(1,0) = 6, v(0,1) = −5, v(1,1) = 2.
  EXPECT_EQ(nccl::expected_value(Collective::kAllReduce, 2, 0, 0, 0), 5.0f);
  EXPECT_EQ(nccl::expected_value(Collective::kAllReduce, 2, 1, 1, 0), -3.0f);
  EXPECT_EQ(nccl::expected_value(Collective::kAllGather, 2, 0, 3, 2), 2.0f);   // block 1, element 1
  EXPECT_EQ(nccl::expected_value(Collective::kAllGather, 2, 1, 1, 2), -5.0f);  // block 0, element 1
  EXPECT_EQ(nccl::expected_value(Collective::kReduceScatter, 2, 1, 0, 1), -3.0f);
  EXPECT_EQ(nccl::expected_value(Collective::kBroadcast, 2, 1, 1, 0), -5.0f);
  EXPECT_EQ(nccl::expected_value(Collective::kAllToAll, 2, 0, 1, 1), 6.0f);   // from rank 1, its element 0
  EXPECT_EQ(nccl::expected_value(Collective::kAllToAll, 2, 1, 0, 1), -5.0f);  // from rank 0, its element 1
}

// Simulates each collective from its definition in the NCCL documentation and compares every
// element of every rank with expected_value.
TEST(NcclExpected, MatchesSimulatedCollectives) {
  const int ranks = 3;
  for (Collective c : nccl::collectives()) {
    const auto n = nccl::collective_counts(c, 3 * 4 * 4, 4, ranks);  // 12 elements
    std::vector<std::vector<float>> send(ranks),
        recv(ranks, std::vector<float>(static_cast<std::size_t>(n.recv_count)));
    for (int r = 0; r < ranks; ++r) {
      for (std::int64_t i = 0; i < n.send_count; ++i) send[r].push_back(headroom::bench::gpu::collective_value(r, i));
    }
    const std::int64_t chunk = n.call_count;
    for (int r = 0; r < ranks; ++r) {
      for (std::int64_t i = 0; i < n.recv_count; ++i) {
        float v = 0;
        switch (c) {
          case Collective::kAllReduce:
            for (int q = 0; q < ranks; ++q) v += send[q][i];
            break;
          case Collective::kAllGather:
            v = send[i / chunk][i % chunk];
            break;
          case Collective::kReduceScatter:
            for (int q = 0; q < ranks; ++q) v += send[q][r * chunk + i];
            break;
          case Collective::kBroadcast:
          case Collective::kReduce:
            v = send[0][i];
            break;
          case Collective::kAllToAll:
            v = send[i / chunk][r * chunk + i % chunk];
            break;
        }
        recv[r][i] = v;
      }
    }
    const std::int64_t arg_chunk = c == Collective::kAllGather       ? n.send_count
                                   : c == Collective::kReduceScatter ? n.recv_count
                                                                     : n.call_count;
    for (int r = 0; r < ranks; ++r) {
      for (std::int64_t i = 0; i < n.recv_count; ++i) {
        EXPECT_EQ(nccl::expected_value(c, ranks, r, i, arg_chunk), recv[r][i])
            << core::to_string(c) << " rank " << r << " element " << i;
      }
    }
  }
}

TEST(NcclScope, FromHostNames) {
  EXPECT_EQ(nccl::scope_from_hosts({}), "intra_node");
  EXPECT_EQ(nccl::scope_from_hosts({"gpu01", "gpu01"}), "intra_node");
  EXPECT_EQ(nccl::scope_from_hosts({"gpu01", "gpu02", "gpu01"}), "inter_node");
}

TEST(NcclRanks, TwoRanksOnOneGpuAreNamed) {
  // One GPU per rank (each rank sees its own, or a distinct one of the node's): fine.
  EXPECT_EQ(nccl::shared_gpu_reason({"0000:1b:00.0", "0000:43:00.0"}, "gpu01"), "");
  EXPECT_EQ(nccl::shared_gpu_reason({"0000:1b:00.0"}, "gpu01"), "");
  EXPECT_EQ(nccl::shared_gpu_reason({}, "gpu01"), "");
  // 3 ranks on a 2-GPU node: local rank 2 wraps around onto local rank 0's GPU.
  const std::string why = nccl::shared_gpu_reason({"0000:1b:00.0", "0000:43:00.0", "0000:1b:00.0"}, "gpu01");
  EXPECT_NE(why.find("3 ranks on gpu01 but local ranks 0 and 2 both drive GPU 0000:1b:00.0"), std::string::npos)
      << why;
  EXPECT_NE(why.find("one GPU per rank"), std::string::npos);
}

TEST(NcclMetrics, AlgbwAndBusbw) {
  const auto m =
      nccl::collective_metrics(Collective::kAllReduce, 8, 1'000'000'000, {0.1, 0.2, 0.1}, core::Statistic::kMedian);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].name, "algbw_bytes_per_s");
  EXPECT_DOUBLE_EQ(*m[0].value, 1e10);
  EXPECT_EQ(m[1].name, "busbw_bytes_per_s");
  EXPECT_DOUBLE_EQ(*m[1].value, 1e10 * 2.0 * 7.0 / 8.0);  // 1.75e10
  EXPECT_EQ(m[2].name, "time_s");
  EXPECT_DOUBLE_EQ(*m[2].value, 0.1);
  EXPECT_EQ(m[2].samples.size(), 3u);  // per-iteration timings kept
  const auto g = nccl::collective_metrics(Collective::kAllGather, 4, 1'000'000'000, {0.1}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*g[1].value, 1e10 * 0.75);
  const auto b = nccl::collective_metrics(Collective::kBroadcast, 4, 1'000'000'000, {0.1}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*b[1].value, 1e10);
  const auto a = nccl::collective_metrics(Collective::kAllToAll, 2, 1'000'000'000, {0.1}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*a[1].value, 5e9);
}

TEST(NcclAlphaBeta, RecoversSyntheticModel) {
  const double alpha = 5e-6, beta = 1e11;
  std::vector<double> bytes, seconds;
  for (auto s : nccl::collective_sizes("quick")) {
    bytes.push_back(static_cast<double>(s));
    seconds.push_back(alpha + static_cast<double>(s) / beta);
  }
  const auto m = nccl::alpha_beta_metrics(Collective::kAllReduce, 4, bytes, seconds);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].name, "alpha_s");
  EXPECT_NEAR(*m[0].value, alpha, alpha * 1e-6);
  EXPECT_EQ(m[1].name, "beta_bytes_per_s");
  EXPECT_NEAR(*m[1].value, beta, beta * 1e-6);
  EXPECT_EQ(m[2].name, "busbw_beta_bytes_per_s");
  EXPECT_NEAR(*m[2].value, beta * 1.5, beta * 1e-5);  // 2(n−1)/n = 1.5 for 4 ranks
  EXPECT_NEAR(*m[3].value, 1.0, 1e-9);
  for (const auto& x : m) EXPECT_EQ(x.provenance, "derived");
  // A flat line (pure latency): β unbounded -> null, never a made-up number.
  const auto flat = nccl::alpha_beta_metrics(Collective::kAllReduce, 4, {8, 64}, {1e-5, 1e-5});
  EXPECT_FALSE(flat[1].value.has_value());
  EXPECT_NEAR(*flat[0].value, 1e-5, 1e-12);
  EXPECT_THROW(nccl::alpha_beta_metrics(Collective::kAllReduce, 4, {8}, {1e-5}), core::InputError);
}
