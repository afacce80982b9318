#include <gtest/gtest.h>

#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"

using namespace headroom::core;

TEST(Units, GemmFlopIsTwoMNK) {
  EXPECT_DOUBLE_EQ(gemm_flop(1, 1, 1), 2.0);
  EXPECT_DOUBLE_EQ(gemm_flop(8192, 8192, 8192), 2.0 * 8192.0 * 8192.0 * 8192.0);
  EXPECT_DOUBLE_EQ(gemm_flop(4096, 1024, 512), 4294967296.0);
}

TEST(Units, StreamBytesFollowMcCalpin) {
  // copy/scale: 2 arrays × n × 8 B; add/triad: 3 arrays.
  EXPECT_DOUBLE_EQ(stream_bytes(StreamKernel::kCopy, 1000, 8), 16000.0);
  EXPECT_DOUBLE_EQ(stream_bytes(StreamKernel::kScale, 1000, 8), 16000.0);
  EXPECT_DOUBLE_EQ(stream_bytes(StreamKernel::kAdd, 1000, 8), 24000.0);
  EXPECT_DOUBLE_EQ(stream_bytes(StreamKernel::kTriad, 1000, 4), 12000.0);
  EXPECT_DOUBLE_EQ(stream_flop(StreamKernel::kTriad, 1000), 2000.0);
  EXPECT_DOUBLE_EQ(stream_flop(StreamKernel::kCopy, 1000), 0.0);
  EXPECT_DOUBLE_EQ(copy_traffic_bytes(1e9), 2e9);
}

TEST(Units, BusBandwidthFactorsMatchNcclTests) {
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kAllReduce, 8), 2.0 * 7.0 / 8.0);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kAllReduce, 2), 1.0);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kAllGather, 4), 0.75);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kReduceScatter, 8), 0.875);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kBroadcast, 16), 1.0);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kAllToAll, 8), 0.875);
  EXPECT_DOUBLE_EQ(busbw_factor(Collective::kAllReduce, 1), 0.0);
  // The H100 reference point: algbw 274.13 GB/s on 8 GPUs is busbw 479.7 GB/s.
  EXPECT_NEAR(274.13 * busbw_factor(Collective::kAllReduce, 8), 479.7275, 1e-9);
  EXPECT_THROW(busbw_factor(Collective::kAllReduce, 0), InputError);
}

TEST(Units, CollectiveNamesRoundTrip) {
  for (auto c : {Collective::kAllReduce, Collective::kAllGather, Collective::kReduceScatter, Collective::kBroadcast,
                 Collective::kReduce, Collective::kAllToAll}) {
    EXPECT_EQ(collective_from_string(to_string(c)), c);
  }
  EXPECT_THROW(collective_from_string("allreduce"), InputError);
}

TEST(Units, ParseSizeBinaryAndDecimal) {
  EXPECT_EQ(parse_size("4096", "x"), 4096);
  EXPECT_EQ(parse_size("64K", "x"), 65536);
  EXPECT_EQ(parse_size("64KiB", "x"), 65536);
  EXPECT_EQ(parse_size("1M", "x"), 1048576);
  EXPECT_EQ(parse_size("2GiB", "x"), 2147483648LL);
  EXPECT_EQ(parse_size("1GB", "x"), 1000000000LL);
  EXPECT_EQ(parse_size("1.5k", "x"), 1536);
  EXPECT_EQ(parse_size("8b", "x"), 8);
  EXPECT_THROW(parse_size("", "x"), InputError);
  EXPECT_THROW(parse_size("12Q", "x"), InputError);
  EXPECT_THROW(parse_size("-1", "x"), InputError);
  EXPECT_THROW(parse_size("0.3", "x"), InputError);
  try {
    parse_size("lots", "--storage-size");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--storage-size"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'lots'"), std::string::npos);
  }
}

TEST(Units, FormattingUsesDecimalAndBinaryPrefixesAsNamed) {
  EXPECT_EQ(format_bytes(1.5e9), "1.50 GB");
  EXPECT_EQ(format_bytes_binary(1024.0 * 1024 * 1024), "1.00 GiB");
  EXPECT_EQ(format_rate(3.35e12, "B/s"), "3.35 TB/s");
  EXPECT_EQ(format_rate(989e12, "FLOP/s"), "989 TFLOP/s");
  EXPECT_EQ(format_seconds(0.0125), "12.5 ms");
  EXPECT_EQ(format_seconds(2.5e-6), "2.5 us");
}

TEST(Errors, InputErrorNamesFilePathAndExpectation) {
  InputError e("results.json", "$.cases[2].samples_s", "a finite number >= 0");
  EXPECT_STREQ(e.what(), "results.json: $.cases[2].samples_s: expected a finite number >= 0");
  EXPECT_EQ(e.file(), "results.json");
  EXPECT_EQ(e.json_path(), "$.cases[2].samples_s");
}
