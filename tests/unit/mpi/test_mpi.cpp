// MPI backend: message sizes, element counts, expected values (known answers), the range flags,
// and every collective run for real on a single rank (singleton MPI) with its α-β fit.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/bench/backends.hpp"
#include "headroom/bench/mpi_session.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/core/errors.hpp"
#include "mpi_collectives.hpp"

using namespace headroom;
using namespace headroom::bench;
using namespace headroom::bench::mpi;
using core::Collective;

TEST(MessageSizes, QuickAndRanges) {
  EXPECT_EQ(message_sizes("quick", std::nullopt, std::nullopt), (std::vector<std::int64_t>{8, 65536, 4194304}));
  const auto standard = message_sizes("standard", std::nullopt, std::nullopt);
  EXPECT_EQ(standard.front(), 8);
  EXPECT_EQ(standard.back(), std::int64_t{256} << 20);
  EXPECT_EQ(standard.size(), 26u);  // 2^3 .. 2^28
  const auto full = message_sizes("full", std::nullopt, std::nullopt);
  EXPECT_EQ(full.back(), std::int64_t{1} << 30);
  EXPECT_EQ(full.size(), 28u);
  EXPECT_EQ(message_sizes("quick", 64 << 20, 64 << 20), (std::vector<std::int64_t>{64 << 20}));
  EXPECT_EQ(message_sizes("full", 1000, 5000), (std::vector<std::int64_t>{1000, 2000, 4000}));
}

TEST(ElementCounts, NcclTestsConventions) {
  // all-reduce / broadcast: the buffer; all-gather: the gathered buffer; reduce-scatter: the input.
  EXPECT_EQ(element_counts(Collective::kAllReduce, 64, 4).send, 16);
  EXPECT_EQ(element_counts(Collective::kAllReduce, 64, 4).recv, 16);
  EXPECT_EQ(element_counts(Collective::kAllGather, 64, 4).send, 4);
  EXPECT_EQ(element_counts(Collective::kAllGather, 64, 4).recv, 16);
  EXPECT_EQ(element_counts(Collective::kReduceScatter, 64, 4).send, 16);
  EXPECT_EQ(element_counts(Collective::kReduceScatter, 64, 4).recv, 4);
  // Rounded down to whole elements per rank; 3 ranks of 4-byte floats need multiples of 12 B.
  EXPECT_EQ(round_size_bytes(Collective::kAllGather, 64, 3), 60);
  EXPECT_EQ(round_size_bytes(Collective::kAllReduce, 10, 3), 8);
  EXPECT_EQ(round_size_bytes(Collective::kReduceScatter, 8, 4), 0);  // no element per rank
}

TEST(ExpectedValues, KnownAnswers) {
  // input_value(r, i) = (7i + 13r) mod 61 + 1
  EXPECT_EQ(input_value(0, 0), 1.0f);
  EXPECT_EQ(input_value(1, 0), 14.0f);
  EXPECT_EQ(input_value(2, 5), 1.0f);  // (35 + 26) mod 61 + 1
  const Counts ar = element_counts(Collective::kAllReduce, 16, 2);
  EXPECT_EQ(expected_value(Collective::kAllReduce, 1, 2, 0, ar), 15.0f);  // 1 + 14
  const Counts ag = element_counts(Collective::kAllGather, 32, 2);       // 4 per rank
  EXPECT_EQ(expected_value(Collective::kAllGather, 0, 2, 5, ag), input_value(1, 1));
  const Counts rs = element_counts(Collective::kReduceScatter, 32, 2);   // 4 per rank out
  EXPECT_EQ(expected_value(Collective::kReduceScatter, 1, 2, 0, rs), input_value(0, 4) + input_value(1, 4));
  EXPECT_EQ(expected_value(Collective::kBroadcast, 3, 4, 7, ar), input_value(0, 7));
}

TEST(RangeFlags, BadOrInvertedIsInputError) {
  Registry reg;
  BackendOptions o;
  o.min_bytes = "1MiB";
  o.max_bytes = "8";
  try {
    register_mpi(reg, o);
    FAIL() << "expected InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "--min-bytes");
    EXPECT_NE(std::string(e.what()).find("inverted"), std::string::npos);
  }
  o.min_bytes = "lots";
  o.max_bytes = "";
  EXPECT_THROW(register_mpi(reg, o), core::InputError);
  o.min_bytes = "2";  // less than one float
  EXPECT_THROW(register_mpi(reg, o), core::InputError);
}

TEST(Collectives, SingleRankRunPassesVerifiesAndFits) {
  MpiSession session;  // finalises the singleton MPI the cases start
  Registry reg;
  BackendOptions o;
  o.min_bytes = "1KiB";
  o.max_bytes = "64KiB";
  register_mpi(reg, o);
  RunOptions ro;
  ro.policy = core::policy_for_suite("quick");
  ro.policy.repetitions = 3;
  ro.policy.warmup = 0;
  ro.policy.min_time_s = 0.001;
  ro.filter = "mpi.*";
  Sink sink;
  const core::Results r = run_benchmarks(reg, ro, sink, nullptr);
  int collectives = 0;
  int fits = 0;
  for (const auto& c : r.cases) {
    ASSERT_EQ(c.status, core::Status::kPassed) << c.name << ": " << c.message;
    if (c.name.ends_with(".alpha_beta")) {
      ++fits;
      const auto* alpha = c.metric("alpha_s");
      ASSERT_NE(alpha, nullptr);
      EXPECT_EQ(alpha->provenance, "derived");
      ASSERT_TRUE(alpha->value.has_value());
      EXPECT_GE(*alpha->value, 0.0);
      continue;
    }
    ++collectives;
    ASSERT_TRUE(c.verified.has_value());
    EXPECT_TRUE(*c.verified) << c.name;
    EXPECT_EQ(c.metric("busbw_bytes_per_s"), nullptr) << "a single rank has no busbw";
    EXPECT_NE(c.message.find("mpirun -np N"), std::string::npos) << c.message;
    // algbw = size / time, sample by sample.
    const auto& algbw = c.metric("algbw_bytes_per_s")->samples;
    const auto size = static_cast<double>(std::get<std::int64_t>(*core::find_param(c.params, "size_bytes")));
    ASSERT_EQ(algbw.size(), c.samples_s.size());
    for (std::size_t i = 0; i < algbw.size(); ++i) EXPECT_NEAR(algbw[i], size / c.samples_s[i], 1e-9 * algbw[i]);
  }
  EXPECT_EQ(collectives, 4 * 7);  // 1 KiB .. 64 KiB for each of the four
  EXPECT_EQ(fits, 4);
}
