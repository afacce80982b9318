// Profiles: JSON round trip, strictness, and `headroom profile` (profile_from_results).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "headroom/core/errors.hpp"
#include "headroom/plan/profile_from_results.hpp"
#include "headroom/plan/rates.hpp"
#include "helpers.hpp"
#include "synthetic_results.hpp"

namespace headroom::plan {
namespace {

TEST(Rates, LinkFallbacksWhenTheProfileHasNoFabricOrPcie) {
  // The H100 datasheet without its NVLink figure: the intra-node collectives fall back to PCIe; without
  // PCIe too, to the assumed 25 GB/s. Offload's host link then assumes PCIe Gen4 x16 (32 GB/s per
  // direction). Every datasheet figure is derated by the default 0.8 efficiency.
  HardwareProfile p = test::catalog().gpu("H100");
  ASSERT_FALSE(p.intra_node.bus_bytes_per_s.known());  // no measured fit: the datasheet path
  p.nvlink_bytes_per_s = Quantity{};
  p.pcie_bytes_per_s = Quantity{64e9, Provenance::kDatasheet, "test: PCIe Gen5 x16 per direction", "2026-11-22"};
  Rates r = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_DOUBLE_EQ(r.intra_bus_bytes_per_s, 64e9 * 0.8);  // 51.2 GB/s
  EXPECT_DOUBLE_EQ(r.host_link_bytes_per_s, 64e9 * 0.8);
  p.pcie_bytes_per_s = Quantity{};
  r = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_DOUBLE_EQ(r.intra_bus_bytes_per_s, 25e9 * 0.8);  // 20 GB/s
  EXPECT_DOUBLE_EQ(r.host_link_bytes_per_s, 32e9 * 0.8);  // 25.6 GB/s
  EXPECT_EQ(r.host_link_source, "PCIe unknown in the profile: Gen4 x16, 32 GB/s per direction × 0.8 (assumed)");
  EXPECT_NE(std::find(r.notes.begin(), r.notes.end(), "no link bandwidth in the profile: intra-node busbw assumed 20 GB/s"),
            r.notes.end());
}

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
  const std::string current = "\"1." + std::to_string(kProfileMinor) + "\"";
  v2.replace(v2.find(current), current.size(), "\"2.2\"");
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

TEST(Profile, StructureIsAsStrictAsTheSchema) {
  // What the schema forbids is refused by path, not skipped (exit 0 with a figure silently missing).
  const auto path_of = [](const std::string& member) {
    const std::string doc = R"({"schema":"headroom.profile","schema_version":"1.0","id":"x",)" + member + "}";
    try {
      profile_from_json(doc, "p.json");
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("no error");
  };
  const std::string q = R"({"value":8,"provenance":"datasheet","source":"s","as_of":"2026-01-01"})";
  EXPECT_EQ(path_of(R"("collectives":"fast")"), "$.collectives");
  EXPECT_EQ(path_of(R"("pcie":[1,2])"), "$.pcie");
  EXPECT_EQ(path_of(R"("storage":5)"), "$.storage");
  EXPECT_EQ(path_of(R"("pcie":{"gen5":)" + q + "}"), "$.pcie.gen5");
  EXPECT_EQ(path_of(R"("storage":{"read_bytes_per_sec":)" + q + "}"), "$.storage.read_bytes_per_sec");
  EXPECT_EQ(
      path_of(R"("memory_bytes":{"value":8e10,"provenance":"datasheet","source":"s","as_of":"2026-01-01","zz":1})"),
      "$.memory_bytes.zz");
  EXPECT_EQ(path_of(R"("memory_bytes":{})"), "$.memory_bytes.value");  // an empty quantity is not "unknown"
  EXPECT_EQ(path_of(R"("memory_bytes":{"value":8e10,"source":"s","as_of":"2026-01-01"})"), "$.memory_bytes.provenance");
  EXPECT_EQ(path_of(R"("gpus_per_node":{"value":1.5,"provenance":"datasheet","source":"s","as_of":"2026-01-01"})"),
            "$.gpus_per_node.value");
  EXPECT_EQ(path_of(R"("gpus_per_node":)" + q), "no error");
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
  EXPECT_EQ(*p.host_memory_bytes.value, 2048.0 * 1073741824.0);  // the inventory's host RAM
  EXPECT_EQ(p.host_memory_bytes.provenance, Provenance::kMeasured);
  EXPECT_EQ(p.memory_bandwidth_bytes_per_s.as_of, "2026-11-22");
  EXPECT_NE(p.memory_bandwidth_bytes_per_s.source.find("synthetic_results.json"), std::string::npos);
  // A measured profile is a valid profile document, host RAM included.
  EXPECT_EQ(*profile_from_json(profile_to_json(p), "p.json").host_memory_bytes.value, *p.host_memory_bytes.value);
  // Measured rates are used as achievable rates (no datasheet efficiency applied).
  const Rates rates = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_EQ(rates.gemm_flop_per_s, 750e12);
  EXPECT_EQ(rates.memory_bytes_per_s, 2.9e12);
}

/// The synthetic results plus an all-GPUs-at-once sweep, as 8 GPUs of `headroom bench --filter
/// 'cuda.pcie.all.*'` give it: h2d 180 GB/s at 64 MiB and 210 GB/s at 256 MiB, d2h 160 GB/s.
core::Results with_node_pcie(core::Results r) {
  using P = core::Param;
  // Eight GPUs copied at once: the inventory lists the node's eight.
  while (r.devices.size() < 8) {
    r.devices.push_back(r.devices.front());
    r.devices.back().index = static_cast<int>(r.devices.size()) - 1;
  }
  for (const auto& [name, size, rate] : {std::tuple{"cuda.pcie.all.h2d", 64LL << 20, 180e9},
                                         std::tuple{"cuda.pcie.all.h2d", 256LL << 20, 210e9},
                                         std::tuple{"cuda.pcie.all.d2h", 256LL << 20, 160e9}}) {
    r.cases.push_back(test::make_case(name, {P{"gpus", std::int64_t{8}}, P{"size_bytes", std::int64_t{size}}},
                                      {test::metric("bytes_per_s", "B/s", rate),
                                       test::metric("host_timed_bytes_per_s", "B/s", 0.98 * rate)}));
  }
  return r;
}

TEST(Profile, NodePcieFromAllGpusAtOnce) {
  // Measured: the best size of each direction, with its case, params and direction in the source;
  // the per-GPU pcie.bytes_per_s stays the one-GPU figure (46.8 GB/s), not the node's.
  const HardwareProfile p = profile_from_results(with_node_pcie(test::synthetic_results()), "node.json", nullptr);
  EXPECT_EQ(*p.pcie_node_h2d_bytes_per_s.value, 210e9);
  EXPECT_EQ(*p.pcie_node_d2h_bytes_per_s.value, 160e9);
  EXPECT_EQ(*p.pcie_bytes_per_s.value, 46.8e9);
  EXPECT_EQ(p.pcie_node_h2d_bytes_per_s.provenance, Provenance::kMeasured);
  EXPECT_EQ(p.pcie_node_h2d_bytes_per_s.source,
            "node.json: cuda.pcie.all.h2d [gpus=8,size_bytes=268435456] bytes_per_s (all GPUs at once)");
  EXPECT_EQ(p.pcie_node_d2h_bytes_per_s.as_of, "2026-11-22");
  // Round trip: written under "pcie", read back unchanged.
  const std::string text = profile_to_json(p);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["pcie"]["node_h2d_bytes_per_s"]["value"], 210e9);
  EXPECT_EQ(j["schema_version"], "1." + std::to_string(kProfileMinor));
  const HardwareProfile back = profile_from_json(text, "p.json");
  EXPECT_EQ(*back.pcie_node_d2h_bytes_per_s.value, 160e9);
  EXPECT_EQ(back.pcie_node_d2h_bytes_per_s.source, p.pcie_node_d2h_bytes_per_s.source);
  EXPECT_EQ(profile_to_json(back), text);

  // Not measured (no cuda.pcie.all.* case passed): null, and says so, with or without --base.
  const HardwareProfile none = profile_from_results(test::synthetic_results(), "one.json", nullptr);
  EXPECT_FALSE(none.pcie_node_h2d_bytes_per_s.known());
  EXPECT_EQ(none.pcie_node_h2d_bytes_per_s.provenance, Provenance::kNotMeasured);
  EXPECT_TRUE(none.pcie_node_d2h_bytes_per_s.source.starts_with("not measured: no passed case in one.json"));
  const HardwareProfile& h100 = test::catalog().gpu("H100");
  EXPECT_FALSE(h100.pcie_node_h2d_bytes_per_s.known());  // no datasheet gives it
  const HardwareProfile based = profile_from_results(test::synthetic_results(), "one.json", &h100);
  EXPECT_EQ(based.pcie_node_d2h_bytes_per_s.provenance, Provenance::kNotMeasured);
  EXPECT_EQ(*profile_from_results(with_node_pcie(test::synthetic_results()), "n.json", &h100)
                 .pcie_node_h2d_bytes_per_s.value,
            210e9);
  // The same figures from a run that listed fewer GPUs than the datasheet's node are not the node's.
  core::Results partial = with_node_pcie(test::synthetic_results());
  partial.devices.resize(4);
  EXPECT_FALSE(profile_from_results(partial, "n.json", &h100).pcie_node_h2d_bytes_per_s.known());
  EXPECT_EQ(*profile_from_results(partial, "n.json", &h100, 4).pcie_node_h2d_bytes_per_s.value, 210e9);

  // A 1.2 file (before the fields existed) loads with them null; a datasheet profile writes them null.
  nlohmann::json old = j;
  old["schema_version"] = "1.2";
  old["pcie"].erase("node_h2d_bytes_per_s");
  old["pcie"].erase("node_d2h_bytes_per_s");
  const HardwareProfile older = profile_from_json(old.dump(), "old.json");
  EXPECT_FALSE(older.pcie_node_h2d_bytes_per_s.known());
  EXPECT_FALSE(older.pcie_node_d2h_bytes_per_s.known());
  EXPECT_EQ(*older.pcie_bytes_per_s.value, 46.8e9);
  EXPECT_TRUE(nlohmann::json::parse(profile_to_json(h100))["pcie"]["node_h2d_bytes_per_s"]["value"].is_null());

  // Refused like every quantity: a value without a source, or beyond any node, at its JSON path.
  for (const auto& [member, path] :
       {std::pair{R"({"value":2e11,"provenance":"measured","source":"","as_of":"2026-01-01"})",
                  "$.pcie.node_h2d_bytes_per_s.source"},
        std::pair{R"({"value":1e20,"provenance":"measured","source":"s","as_of":"2026-01-01"})",
                  "$.pcie.node_h2d_bytes_per_s.value"}}) {
    nlohmann::json bad = j;
    bad["pcie"]["node_h2d_bytes_per_s"] = nlohmann::json::parse(member);
    try {
      profile_from_json(bad.dump(), "p.json");
      ADD_FAILURE() << member;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path) << e.what();
    }
  }
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

TEST(Profile, OneGpuOfANodeKeepsTheDatasheetsNodeLayout) {
  // The H100 of 2026-11-23 was one GPU in a VM: profiled on the H100 datasheet, a plan of 8 or more
  // GPUs must still see 8 NVLink GPUs per node, not one GPU per node on the network.
  core::Results r = test::synthetic_results();
  r.devices.resize(1);
  const HardwareProfile& base = test::catalog().gpu("H100");
  const HardwareProfile one = profile_from_results(r, "one.json", &base);
  EXPECT_EQ(*one.gpus_per_node.value, 8);
  EXPECT_EQ(one.gpus_per_node.provenance, Provenance::kDatasheet);
  EXPECT_NE(one.notes.find("the run saw 1 GPU on its host, fewer than a node of the datasheet's 8"), std::string::npos)
      << one.notes;
  // The host's node-level figures are a one-GPU VM's, not an 8-GPU node's: they stay the datasheet's.
  ASSERT_TRUE(r.host.memory_bytes.has_value());
  EXPECT_FALSE(one.host_memory_bytes.known());
  EXPECT_NE(one.notes.find("measured on a host with 1 GPU, not a node of 8: they stay the datasheet's"),
            std::string::npos)
      << one.notes;
  // --gpus-per-node 1 says the host is the node: its figures count, with the override's provenance.
  const HardwareProfile vm = profile_from_results(r, "one.json", &base, 1);
  EXPECT_EQ(*vm.gpus_per_node.value, 1);
  EXPECT_EQ(vm.gpus_per_node.provenance, Provenance::kOverride);
  EXPECT_EQ(vm.gpus_per_node.as_of, "2026-11-22");  // the run's date
  EXPECT_EQ(*vm.host_memory_bytes.value, static_cast<double>(*r.host.memory_bytes));
  EXPECT_EQ(vm.notes.find("fewer than a node"), std::string::npos) << vm.notes;
  // Without a datasheet there is nothing better than what the run saw.
  EXPECT_EQ(*profile_from_results(r, "one.json", nullptr).gpus_per_node.value, 1);
  EXPECT_EQ(profile_from_results(r, "one.json", nullptr).gpus_per_node.provenance, Provenance::kMeasured);
  // A whole node measured is the node: 8 of 8 on the datasheet's H100 is measured.
  while (r.devices.size() < 8) {
    r.devices.push_back(r.devices.front());
    r.devices.back().index = static_cast<int>(r.devices.size()) - 1;
  }
  const HardwareProfile all = profile_from_results(r, "eight.json", &base);
  EXPECT_EQ(*all.gpus_per_node.value, 8);
  EXPECT_EQ(all.gpus_per_node.provenance, Provenance::kMeasured);
  EXPECT_EQ(all.notes.find("fewer than a node"), std::string::npos);
}

/// The synthetic results with the NCCL sweep replaced by host MPI all-reduce over 2 ranks (busbw
/// 1.05 GB/s at 4 MiB, 8 B in 4 µs), as `mpirun -np 2 headroom bench --filter 'mpi.all_reduce*'` gives.
core::Results with_mpi_instead_of_nccl(core::Results r) {
  using P = core::Param;
  std::erase_if(r.cases, [](const core::CaseResult& c) { return c.name == "nccl.all_reduce"; });
  for (const auto& [size, bus] : {std::pair{8.0, 2e6}, std::pair{4194304.0, 1.05e9}}) {
    const double time = size / bus;  // 2 ranks: busbw = algbw × 2(n−1)/n = algbw
    r.cases.push_back(test::make_case(
        "mpi.all_reduce", {P{"size_bytes", static_cast<std::int64_t>(size)}, P{"ranks", std::int64_t{2}}},
        {test::metric("algbw_bytes_per_s", "B/s", bus), test::metric("busbw_bytes_per_s", "B/s", bus),
         test::metric("time_s", "s", time)}));
  }
  return r;
}

core::Results host_only(core::Results r) {
  r.devices.clear();
  std::erase_if(r.cases, [](const core::CaseResult& c) { return c.name.starts_with("cuda.") || c.name.starts_with("nccl."); });
  return r;
}

TEST(Profile, HostMpiNeverStandsInForGpuCollectives) {
  const core::Results r = with_mpi_instead_of_nccl(test::synthetic_results());
  const HardwareProfile& base = test::catalog().gpu("H100");
  // --base H100: the collectives stay the datasheet's (none measured), so the plan prices TP
  // all-reduces on NVLink, not on the host's 1.05 GB/s.
  const HardwareProfile with_base = profile_from_results(r, "mpi2.json", &base);
  EXPECT_FALSE(with_base.intra_node.bus_bytes_per_s.known());
  EXPECT_EQ(with_base.intra_node.bus_bytes_per_s.provenance, Provenance::kNotMeasured);
  EXPECT_TRUE(with_base.intra_node.bus_bytes_per_s.source.starts_with("not measured: no passed case in mpi2.json"))
      << with_base.intra_node.bus_bytes_per_s.source;
  EXPECT_FALSE(with_base.inter_node.bus_bytes_per_s.known());
  EXPECT_NE(with_base.notes.find("mpi.all_reduce (host MPI, busbw 1.05 GB/s) is not used"), std::string::npos)
      << with_base.notes;
  const Assumptions a;
  const Rates rates = resolve_rates(with_base, Precision::kBf16, a);
  EXPECT_DOUBLE_EQ(rates.intra_bus_bytes_per_s, 900e9 / 2 * a.collective_efficiency_of_datasheet);
  // No --base, but a GPU in the inventory and cuda.* cases: still a GPU profile, no collectives.
  const HardwareProfile gpu = profile_from_results(r, "mpi2.json", nullptr);
  EXPECT_FALSE(gpu.intra_node.bus_bytes_per_s.known());
  EXPECT_FALSE(gpu.intra_node.alpha_s.known());
  EXPECT_NE(gpu.notes.find("is not used for collectives"), std::string::npos) << gpu.notes;
  // A cuda.* case alone (no device in the inventory) makes it a GPU profile too.
  core::Results cuda_only = r;
  cuda_only.devices.clear();
  EXPECT_FALSE(profile_from_results(cuda_only, "mpi2.json", nullptr).intra_node.bus_bytes_per_s.known());
  // A profile of the host alone: MPI is the only collective there is, and it is measured.
  const HardwareProfile host = profile_from_results(host_only(r), "mpi2.json", nullptr);
  ASSERT_TRUE(host.intra_node.bus_bytes_per_s.known());
  EXPECT_EQ(*host.intra_node.bus_bytes_per_s.value, 1.05e9);
  EXPECT_EQ(host.intra_node.bus_bytes_per_s.provenance, Provenance::kMeasured);
  EXPECT_EQ(*host.intra_node.ranks.value, 2);
  // α = (4 µs − 8 B · 2(n−1)/n / busbw) / 2(n−1) with n = 2: (4e-6 − 8 / 1.05e9) / 2.
  EXPECT_NEAR(*host.intra_node.alpha_s.value, (4e-6 - 8 / 1.05e9) / 2, 1e-15);
  EXPECT_EQ(host.notes.find("is not used for collectives"), std::string::npos) << host.notes;
  // NCCL, where measured, is used in a GPU profile whatever MPI says.
  core::Results both = test::synthetic_results();
  for (const auto& c : r.cases) {
    if (c.name == "mpi.all_reduce") both.cases.push_back(c);
  }
  EXPECT_EQ(*profile_from_results(both, "r.json", &base).intra_node.bus_bytes_per_s.value, 480e9);
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

TEST(Profile, UnknownValuesWithoutBaseSayTheyWereNotMeasured) {
  const HardwareProfile p = profile_from_results(host_only(test::synthetic_results()), "run1/results.json", nullptr);
  for (const Quantity* q : {&p.memory_bytes, &p.memory_bandwidth_bytes_per_s, &p.peak(Precision::kBf16),
                            &p.nvlink_bytes_per_s, &p.intra_node.bus_bytes_per_s}) {
    EXPECT_FALSE(q->known());
    EXPECT_EQ(q->provenance, Provenance::kNotMeasured);
    EXPECT_EQ(q->source,
              "not measured: no passed case in run1/results.json gives it, and no datasheet was given "
              "(`headroom profile --base GPU`)");
    EXPECT_EQ(q->as_of, "2026-11-22");
  }
  EXPECT_EQ(*p.host_memory_bandwidth_bytes_per_s.value, 200e9);  // measured values are untouched
  EXPECT_NE(p.notes.find("no GPU in these results"), std::string::npos) << p.notes;
  EXPECT_NE(profile_to_json(p).find(R"("provenance": "not_measured")"), std::string::npos);
  EXPECT_EQ(profile_from_json(profile_to_json(p), "p.json").memory_bytes.provenance, Provenance::kNotMeasured);
  // With --base, a value neither measured nor on the datasheet keeps the datasheet's own reason.
  const HardwareProfile& a100 = test::catalog().gpu("a100-sxm4-80gb");
  const HardwareProfile b = profile_from_results(host_only(test::synthetic_results()), "r.json", &a100);
  EXPECT_FALSE(b.peak(Precision::kFp8).known());
  EXPECT_EQ(b.peak(Precision::kFp8).provenance, Provenance::kDatasheet);
  EXPECT_EQ(b.peak(Precision::kFp8).source, a100.peak(Precision::kFp8).source);
  // ... and one the datasheet leaves without a word (no collective fit in a datasheet) says so.
  EXPECT_FALSE(b.intra_node.bus_bytes_per_s.known());
  EXPECT_EQ(b.intra_node.bus_bytes_per_s.provenance, Provenance::kNotMeasured);
  EXPECT_EQ(b.intra_node.bus_bytes_per_s.source,
            "not measured: no passed case in r.json gives it, and the datasheet of a100-sxm4-80gb has no value");
}

TEST(Profile, NotMeasuredNeverCarriesAValue) {
  auto doc = nlohmann::json::parse(profile_to_json(test::catalog().gpu("H100")));
  ASSERT_TRUE(doc["memory_bytes"]["value"].is_number());
  doc["memory_bytes"]["provenance"] = "not_measured";
  const std::string bad = doc.dump();
  try {
    profile_from_json(bad, "p.json");
    ADD_FAILURE() << "a value with provenance not_measured was accepted";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected null for provenance \"not_measured\""), std::string::npos) << e.what();
  }
}

TEST(Profile, MixedGpuModelsAreRefused) {
  core::Results r = test::synthetic_results();
  core::DeviceInfo other = r.devices.front();
  other.index = 1;
  other.name = "NVIDIA A100-SXM4-80GB";
  r.devices.push_back(other);
  try {
    profile_from_results(r, "mixed.json", nullptr);
    ADD_FAILURE() << "mixed GPU models were profiled";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "mixed.json");
    EXPECT_EQ(e.json_path(), "$.devices[1].name");
    EXPECT_NE(e.expected().find("got 'NVIDIA A100-SXM4-80GB'"), std::string::npos) << e.expected();
  }
  r.devices.back().name = r.devices.front().name;  // two of one model: a node of 2
  EXPECT_EQ(*profile_from_results(r, "two.json", nullptr).gpus_per_node.value, 2);
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

TEST(Rates, HostLinkIsTheNodesShareWhenEveryGpuCopies) {
  // H100 datasheet: PCIe 64 GB/s per direction × 0.8 = 51.2 GB/s per GPU alone; 8 GPUs per node.
  HardwareProfile p = test::catalog().gpu("h100-sxm5-80gb");
  const double alone = resolve_rates(p, Precision::kBf16, Assumptions{}).host_link_bytes_per_s;
  // A measured node rate of 200 GB/s device-to-host (every GPU at once) and 300 GB/s the other way:
  // the slower direction over 8 GPUs = 25 GB/s each, below the per-GPU figure, so it applies.
  p.gpus_per_node = {8.0, Provenance::kDatasheet, "s", "2026-11-23"};
  p.pcie_node_d2h_bytes_per_s = {200e9, Provenance::kMeasured, "cuda.pcie.all.d2h in r.json", "2026-11-23"};
  p.pcie_node_h2d_bytes_per_s = {300e9, Provenance::kMeasured, "cuda.pcie.all.h2d in r.json", "2026-11-23"};
  const Rates shared = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_DOUBLE_EQ(shared.host_link_bytes_per_s, 25e9);
  EXPECT_NE(shared.host_link_source.find("every GPU of the node copying at once (200 GB/s per node / 8 GPUs"),
            std::string::npos)
      << shared.host_link_source;
  // A node rate above 8 × the per-GPU one does not raise it.
  p.pcie_node_d2h_bytes_per_s.value = 800e9;
  p.pcie_node_h2d_bytes_per_s.value = 900e9;
  EXPECT_DOUBLE_EQ(resolve_rates(p, Precision::kBf16, Assumptions{}).host_link_bytes_per_s, alone);
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
