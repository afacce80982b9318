// MPI backend: message sizes, element counts, expected values (known answers), the range flags,
// and every collective and α-β fit waived on a single rank (nothing is communicated). The collectives
// themselves run in mpi.cli.np2 / np4 (cli_mpi_test.sh).
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

TEST(Collectives, SingleRankCasesAreWaivedNotMeasured) {
  // One rank communicates nothing: mpi.broadcast of 4 MiB "took" 4 ns (1e15 B/s) and its α-β fit had
  // r² 0.25. Every collective and every fit is waived with the reason and how to launch more ranks,
  // without starting MPI.
  MpiSession session;  // finalises MPI should a case start it
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
    EXPECT_EQ(c.status, core::Status::kWaived) << c.name << ": " << c.message;
    EXPECT_TRUE(c.message.starts_with("needs at least 2 ranks: with one rank nothing is communicated."))
        << c.message;
    EXPECT_NE(c.message.find("mpirun -np N headroom bench --filter 'mpi.*'"), std::string::npos) << c.message;
    EXPECT_TRUE(c.metrics.empty()) << c.name;
    EXPECT_TRUE(c.samples_s.empty()) << c.name;
    ++(c.name.ends_with(".alpha_beta") ? fits : collectives);
  }
  EXPECT_EQ(collectives, 4 * 7);  // 1 KiB .. 64 KiB for each of the four
  EXPECT_EQ(fits, 4);
  int initialized = 1;
  MPI_Initialized(&initialized);
  EXPECT_EQ(initialized, 0) << "a waived case started MPI";
}
