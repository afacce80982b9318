// Profiles: JSON round trip, strictness, and `headroom profile` (profile_from_results).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "headroom/core/errors.hpp"
#include "headroom/plan/profile_from_results.hpp"
#include "headroom/plan/rates.hpp"
#include "helpers.hpp"
#include "synthetic_results.hpp"

namespace headroom::plan {
namespace {

TEST(Profile, RoundTripKeepsEveryQuantity) {
  const HardwareProfile& h = test::catalog().gpu("h100-sxm5-80gb");
  const HardwareProfile back = profile_from_json(profile_to_json(h), "mem");
  EXPECT_EQ(profile_to_json(back), profile_to_json(h));
  EXPECT_EQ(back.aliases, h.aliases);
  // The NVLink domain of bridged cards travels; a fraction of a GPU, or 1, is refused at its path.
  const std::string pcie = profile_to_json(test::catalog().gpu("h100-pcie-80gb"));
  EXPECT_EQ(profile_from_json(pcie, "mem").nvlink_domain_gpus.value_or(0), 2);
  EXPECT_EQ(profile_to_json(profile_from_json(pcie, "mem")), pcie);
  for (const char* bad : {"1.5", "1"}) {
    nlohmann::json j = nlohmann::json::parse(pcie);
    j["nvlink_domain_gpus"]["value"] = nlohmann::json::parse(bad);
    try {
      profile_from_json(j.dump(), "p.json");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), "$.nvlink_domain_gpus.value") << e.what();
    }
  }
}

TEST(Profile, RejectsUnknownMajorAndSourcelessValues) {
  std::string doc = profile_to_json(test::catalog().gpu("l4"));
  std::string v2 = doc;
  v2.replace(v2.find("\"1.1\""), 5, "\"2.1\"");
  EXPECT_THROW(profile_from_json(v2, "p.json"), core::InputError);
  const std::string bad = R"({"schema":"headroom.profile","schema_version":"1.0","id":"x",
    "memory_bytes":{"value":1e9,"provenance":"datasheet","source":"","as_of":"2026-01-01"}})";
  try {
    profile_from_json(bad, "p.json");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.memory_bytes.source");
  }
  const std::string negative = R"({"schema":"headroom.profile","schema_version":"1.0","id":"x",
    "memory_bytes":{"value":-1,"provenance":"datasheet","source":"s","as_of":"2026-01-01"}})";
  EXPECT_THROW(profile_from_json(negative, "p.json"), core::InputError);
  // Figures no GPU has (a typo or a broken measurement) are refused by field: 1e300 bytes of memory,
  // 1e20 FLOP/s; every catalog GPU stays inside the ceilings (the catalog loads).
  const auto refused = [](const std::string& member, const std::string& path) {
    const std::string doc = R"({"schema":"headroom.profile","schema_version":"1.0","id":"x",)" + member + "}";
    try {
      profile_from_json(doc, "p.json");
      ADD_FAILURE() << member;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path);
      EXPECT_NE(std::string(e.what()).find("plausible"), std::string::npos) << e.what();
    }
  };
  refused(R"("memory_bytes":{"value":1e300,"provenance":"measured","source":"s","as_of":"2026-01-01"})",
          "$.memory_bytes.value");
  refused(R"("peak_flop_per_s":{"bf16":{"value":1e20,"provenance":"measured","source":"s","as_of":"2026-01-01"}})",
          "$.peak_flop_per_s.bf16.value");
  EXPECT_NO_THROW(profile_from_json(
      R"({"schema":"headroom.profile","schema_version":"1.0","id":"x",
        "peak_flop_per_s":{"bf16":{"value":9e15,"provenance":"datasheet","source":"s","as_of":"2026-01-01"}}})",
      "p.json"));
}

TEST(Profile, FromResultsUsesWhatWasMeasured) {
  const core::Results r = test::synthetic_results();
  const HardwareProfile p = profile_from_results(r, "synthetic_results.json", nullptr);
  EXPECT_EQ(*p.peak(Precision::kBf16).value, 750e12);  // best size of the sweep
  EXPECT_EQ(p.peak(Precision::kBf16).provenance, Provenance::kMeasured);
  EXPECT_EQ(*p.memory_bandwidth_bytes_per_s.value, 2.9e12);
  EXPECT_EQ(*p.pcie_bytes_per_s.value, 46.8e9);  // the slower direction
  EXPECT_EQ(*p.intra_node.bus_bytes_per_s.value, 480e9);
  EXPECT_TRUE(p.intra_node.alpha_s.known());
  EXPECT_FALSE(p.inter_node.bus_bytes_per_s.known());
  EXPECT_FALSE(p.peak(Precision::kFp8).known());  // waived: stays null
  EXPECT_EQ(*p.storage_read_bytes_per_s.value, 1.2e9);
  EXPECT_EQ(p.memory_bandwidth_bytes_per_s.as_of, "2026-11-22");
  EXPECT_NE(p.memory_bandwidth_bytes_per_s.source.find("synthetic_results.json"), std::string::npos);
  // A measured profile is a valid profile document.
  EXPECT_NO_THROW(profile_from_json(profile_to_json(p), "p.json"));
  // Measured rates are used as achievable rates (no datasheet efficiency applied).
  const Rates rates = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_EQ(rates.gemm_flop_per_s, 750e12);
  EXPECT_EQ(rates.memory_bytes_per_s, 2.9e12);
}

TEST(Profile, BaseFillsWhatWasNotMeasured) {
  const core::Results r = test::synthetic_results();
  const HardwareProfile& base = test::catalog().gpu("H100");
  const HardwareProfile p = profile_from_results(r, "synthetic_results.json", &base);
  EXPECT_EQ(p.peak(Precision::kFp8).provenance, Provenance::kDatasheet);
  EXPECT_EQ(*p.peak(Precision::kFp8).value, 1979e12);
  EXPECT_EQ(p.peak(Precision::kBf16).provenance, Provenance::kMeasured);
  EXPECT_EQ(p.id, "h100-sxm5-80gb-measured");
}

TEST(Profile, CheckpointWriteComesFromStorageCheckpoint) {
  // microbench/storage/checkpoint.cpp: case storage.checkpoint, metric write_bytes_per_s.
  core::Results r = test::synthetic_results();
  using P = core::Param;
  const core::Params params{P{"size_bytes", std::int64_t{1} << 30}, P{"chunk_bytes", std::int64_t{64} << 20}};
  r.cases.push_back(test::make_case("storage.checkpoint", params,
                                    {test::metric("write_bytes_per_s", "B/s", 2.5e9),
                                     test::metric("read_bytes_per_s", "B/s", 3.1e9), test::metric("write_s", "s", 0.43),
                                     test::metric("read_s", "s", 0.35)}));
  const HardwareProfile p = profile_from_results(r, "r.json", nullptr);
  ASSERT_TRUE(p.checkpoint_write_bytes_per_s.known());
  EXPECT_EQ(*p.checkpoint_write_bytes_per_s.value, 2.5e9);
  EXPECT_EQ(p.checkpoint_write_bytes_per_s.provenance, Provenance::kMeasured);
  EXPECT_NE(p.checkpoint_write_bytes_per_s.source.find("storage.checkpoint"), std::string::npos);
  EXPECT_NE(p.checkpoint_write_bytes_per_s.source.find("write_bytes_per_s"), std::string::npos);
  EXPECT_EQ(*profile_from_json(profile_to_json(p), "p.json").checkpoint_write_bytes_per_s.value, 2.5e9);
  // Without the case it stays unknown.
  EXPECT_FALSE(profile_from_results(test::synthetic_results(), "r.json", nullptr).checkpoint_write_bytes_per_s.known());
}

TEST(Profile, IdWithoutBaseIsAReadableSlugOfTheDeviceOrCpu) {
  core::Results r = test::synthetic_results();
  r.devices.front().name = "NVIDIA H100 80GB HBM3";
  EXPECT_EQ(profile_from_results(r, "r.json", nullptr).id, "nvidia-h100-80gb-hbm3-measured");
  r.devices.clear();  // a CPU-only run: the CPU model, trademark marks dropped
  r.host.cpu_model = "Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz";
  EXPECT_EQ(profile_from_results(r, "r.json", nullptr).id, "intel-xeon-platinum-8480-cpu-2-00ghz-measured");
  r.host.cpu_model = "";
  EXPECT_EQ(profile_from_results(r, "r.json", nullptr).id, "host-measured");
}

TEST(Profile, FixtureFileMatchesGenerator) {
  // fixtures/synthetic_results.json is results_to_json(synthetic_results()); regenerate with
  // HEADROOM_REGENERATE_FIXTURES=1 when the results schema changes.
  const std::string path = std::string(HEADROOM_SOURCE_DIR) + "/tests/unit/planner/fixtures/synthetic_results.json";
  const std::string text = core::results_to_json(test::synthetic_results()) + "\n";
  if (std::getenv("HEADROOM_REGENERATE_FIXTURES")) std::ofstream(path) << text;
  const core::Results loaded = core::load_results(path);
  EXPECT_EQ(loaded.cases.size(), test::synthetic_results().cases.size());
  EXPECT_NE(loaded.run.notes.front().find("SYNTHETIC"), std::string::npos);
}

TEST(Rates, NullPeakIsAnInputErrorNamingTheField) {
  try {
    resolve_rates(test::catalog().gpu("a100-sxm4-80gb"), Precision::kFp8, Assumptions{});
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.peak_flop_per_s.fp8");
  }
}

TEST(Rates, CollectiveTimesFollowBusbwConvention) {
  // all-reduce of 1 GB over 8 ranks at 100 GB/s busbw: 2·7/8 · 1e9 / 1e11 = 17.5 ms (+ 14 α).
  EXPECT_NEAR(allreduce_time_s(1e9, 8, 1e11, 0), 0.0175, 1e-12);
  EXPECT_NEAR(allreduce_time_s(1e9, 8, 1e11, 1e-5), 0.0175 + 14e-5, 1e-12);
  EXPECT_NEAR(allgather_time_s(1e9, 8, 1e11, 0), 0.00875, 1e-12);
  EXPECT_EQ(allreduce_time_s(1e9, 1, 1e11, 1e-5), 0);
}

}  // namespace
}  // namespace headroom::plan
