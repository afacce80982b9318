#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "fixtures.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/html.hpp"

using namespace headroom;
using namespace headroom::report;
using namespace headroom::report::testing;

namespace {
std::string spec_text(const std::string& checks, const std::string& match = R"({"host_only": true})") {
  return R"({"schema": "headroom.acceptance", "schema_version": "1.0", "name": "test spec", "match": )" + match +
         R"(, "checks": [)" + checks + "]}";
}

const char* kTriadCheck = R"({"id": "triad", "case": "cpu.stream.triad", "metric": "bytes_per_s", "unit": "B/s",
  "threshold": {"value": 5e9}, "derivation": "d", "source": "s"})";

std::string error_of(const std::string& text) {
  try {
    spec_from_json(text, "spec.json");
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

core::Results gpu_node(double slow_factor) {
  auto r = host_results("gpu-node");
  for (int d = 0; d < 4; ++d) {
    r.devices.push_back({});
    r.devices.back().index = d;
    r.devices.back().name = "NVIDIA H100 80GB HBM3";
    const double f = d == 2 ? slow_factor : 1.0;
    for (std::int64_t m : {4096, 8192}) {
      r.cases.push_back(make_case("cuda.gemm.bf16", {{"m", m}, {"n", m}, {"k", m}},
                                  {metric("flop_per_s", "FLOP/s", {(m == 8192 ? 760e12 : 700e12) * f})},
                                  "cuda:" + std::to_string(d)));
    }
  }
  for (std::int64_t size : {std::int64_t{1} << 20, std::int64_t{1} << 30}) {
    // Peak busbw is at the mid size here, so "largest" and "peak" pick different instances.
    r.cases.push_back(make_case("nccl.all_reduce", {{"size_bytes", size}, {"ranks", std::int64_t{4}}},
                                {metric("busbw_bytes_per_s", "B/s", {size > (1 << 20) ? 300e9 : 350e9})}, "node"));
  }
  return r;
}
}  // namespace

TEST(AcceptanceSpec, LoadsAndDefaults) {
  const auto s = spec_from_json(spec_text(kTriadCheck), "spec.json");
  EXPECT_TRUE(s.host_only);
  ASSERT_EQ(s.checks.size(), 1u);
  EXPECT_EQ(s.checks[0].pick, Pick::kPeak);
  EXPECT_FALSE(s.checks[0].at_most);
  EXPECT_TRUE(s.checks[0].required);
  EXPECT_DOUBLE_EQ(*s.checks[0].threshold.value, 5e9);
}

TEST(AcceptanceSpec, UnitsAreValidatedAtLoad) {
  EXPECT_EQ(unit_for_metric("busbw_bytes_per_s"), "B/s");
  EXPECT_EQ(unit_for_metric("flop_per_s"), "FLOP/s");
  EXPECT_EQ(unit_for_metric("iops"), "IO/s");
  EXPECT_EQ(unit_for_metric("latency_p99_s"), "s");
  EXPECT_EQ(unit_for_metric("speed"), "");
  std::string bad = kTriadCheck;
  bad.replace(bad.find("\"B/s\""), 5, "\"GB/s\"");
  const auto e = error_of(spec_text(bad));
  EXPECT_NE(e.find("spec.json"), std::string::npos) << e;
  EXPECT_NE(e.find("$.checks[0].unit"), std::string::npos) << e;
  EXPECT_NE(e.find("'B/s'"), std::string::npos) << e;
  std::string bad_metric = kTriadCheck;
  bad_metric.replace(bad_metric.find("\"bytes_per_s\""), 13, "\"speed\"");
  EXPECT_NE(error_of(spec_text(bad_metric)).find("$.checks[0].metric"), std::string::npos);
}

TEST(AcceptanceSpec, IntegerGemmsAreCheckedInOpsPerSecond) {
  // cuda.gemm.int8 records flop_per_s in OP/s (integer operations): a spec may say so, and the check
  // runs against the results; another unit for flop_per_s is still refused.
  const char* int8 = R"({"id": "int8", "case": "cuda.gemm.int8", "metric": "flop_per_s", "unit": "OP/s",
    "threshold": {"value": 1e15}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(int8, R"({"gpu_names": ["H100"]})"), "spec.json");
  auto r = gpu_node(1.0);
  for (int d = 0; d < 4; ++d) {
    r.cases.push_back(make_case("cuda.gemm.int8", {{"m", std::int64_t{8192}}, {"n", std::int64_t{8192}},
                                                   {"k", std::int64_t{8192}}},
                                {metric("flop_per_s", "OP/s", {d == 2 ? 0.9e15 : 1.2e15})}, "cuda:" + std::to_string(d)));
  }
  const auto rep = evaluate(spec, r);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kPass) << rep.rows[0].message;  // peak over the devices
  EXPECT_DOUBLE_EQ(*rep.rows[0].measured, 1.2e15);
  std::string wrong = int8;
  wrong.replace(wrong.find("\"OP/s\""), 6, "\"IO/s\"");
  const auto e = error_of(spec_text(wrong));
  EXPECT_NE(e.find("$.checks[0].unit"), std::string::npos) << e;
  EXPECT_NE(e.find("'OP/s' for an integer GEMM"), std::string::npos) << e;
}

TEST(AcceptanceSpec, RejectsTyposMissingDerivationAndFutureVersions) {
  std::string typo = kTriadCheck;
  typo.replace(typo.find("\"threshold\""), 11, "\"treshold\"");
  EXPECT_NE(error_of(spec_text(typo)).find("treshold"), std::string::npos);
  std::string no_source = kTriadCheck;
  no_source.replace(no_source.find("\"source\": \"s\""), 13, "\"source\": \"\"");
  EXPECT_NE(error_of(spec_text(no_source)).find("$.checks[0].source"), std::string::npos);
  std::string v2 = spec_text(kTriadCheck);
  v2.replace(v2.find("1.0"), 3, "2.0");
  EXPECT_NE(error_of(v2), "(no error)");
  const std::string both = R"({"id": "x", "case": "cpu.c", "metric": "bytes_per_s", "unit": "B/s",
    "threshold": {"value": 1, "fraction": 0.5, "of": 2}, "derivation": "d", "source": "s"})";
  EXPECT_NE(error_of(spec_text(both)).find("$.checks[0].threshold"), std::string::npos);
  EXPECT_NE(error_of(spec_text(std::string(kTriadCheck) + "," + kTriadCheck)).find("unique"), std::string::npos);
  // A broken spec is bad input (exit 2), never a FAIL verdict blamed on the hardware: an empty or
  // malformed case, a null where the schema allows none, an of_case that names nothing.
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string c = kTriadCheck;
    c.replace(c.find(from), from.size(), to);
    return error_of(spec_text(c));
  };
  EXPECT_NE(
      with("\"case\": \"cpu.stream.triad\"", "\"case\": \"\"").find("$.checks[0].case: expected a benchmark case name"),
      std::string::npos);
  EXPECT_NE(
      with("\"case\": \"cpu.stream.triad\"", "\"case\": \"cpu.stream.triad\", \"pick\": null").find("$.checks[0].pick"),
      std::string::npos);
  EXPECT_NE(with("\"case\": \"cpu.stream.triad\"", "\"case\": \"cpu.stream.triad\", \"title\": null")
                .find("$.checks[0].title"),
            std::string::npos);
  const std::string of_null = R"({"id": "x", "case": "cpu.c", "metric": "bytes_per_s", "unit": "B/s",
    "threshold": {"fraction": 0.5, "of_case": null, "reference": "r"}, "derivation": "d", "source": "s"})";
  EXPECT_NE(error_of(spec_text(of_null)).find("$.checks[0].threshold.of_case"), std::string::npos);
  const std::string of_empty = R"({"id": "x", "case": "cpu.c", "metric": "bytes_per_s", "unit": "B/s",
    "threshold": {"fraction": 0.5, "of_case": "", "reference": "r"}, "derivation": "d", "source": "s"})";
  EXPECT_NE(error_of(spec_text(of_empty)).find("$.checks[0].threshold.of_case: expected a benchmark case name"),
            std::string::npos);
}

TEST(AcceptanceSpec, ShippedSpecsLoadWithDerivationsAndSources) {
  const auto specs = load_specs(std::filesystem::path(HEADROOM_SOURCE_DIR) / "data" / "acceptance");
  ASSERT_GE(specs.size(), 4u);
  int host_only = 0;
  for (const auto& s : specs) {
    host_only += s.host_only;
    for (const auto& c : s.checks) {
      EXPECT_FALSE(c.derivation.empty()) << s.file << " " << c.id;
      // External facts carry their date; a threshold relative to another case of the run does not need one.
      if (c.threshold.of_case.empty()) {
        EXPECT_NE(c.source.find("as of"), std::string::npos) << s.file << " " << c.id << ": source needs a date";
      }
    }
  }
  EXPECT_EQ(host_only, 1);
  auto r = gpu_node(1.0);
  EXPECT_EQ(select_spec(specs, r, "dir").name, "NVIDIA H100 SXM5 80GB");
  for (auto& d : r.devices) d.name = "NVIDIA A100-SXM4-80GB";
  EXPECT_EQ(select_spec(specs, r, "dir").name, "NVIDIA A100 SXM4 80GB");
  for (auto& d : r.devices) d.name = "Some Future GPU";
  EXPECT_THROW(select_spec(specs, r, "dir"), core::InputError);
  r.devices.clear();
  EXPECT_TRUE(select_spec(specs, r, "dir").host_only);
}

TEST(AcceptanceSpec, PciIdsAreValidatedAtLoad) {
  const std::string ok = R"({"gpu_names": ["X"], "pci_device_ids": ["10de:2330"], "pci_ids_source": "pci.ids"})";
  EXPECT_EQ(spec_from_json(spec_text(kTriadCheck, ok), "spec.json").pci_device_ids, std::vector<std::string>{"10de:2330"});
  // An empty list is allowed (ids not verified yet) and needs no source.
  EXPECT_TRUE(spec_from_json(spec_text(kTriadCheck, R"({"gpu_names": ["X"], "pci_device_ids": []})"), "s.json")
                  .pci_device_ids.empty());
  EXPECT_EQ(error_of(spec_text(kTriadCheck, R"({"gpu_names": ["X"], "pci_device_ids": ["10DE:2330"], "pci_ids_source": "p"})")),
            "spec.json: $.match.pci_device_ids[0]: expected a PCI id as lspci -nn prints it, \"vvvv:dddd\" in lower-case "
            "hex (e.g. \"10de:2330\"), got '10DE:2330'");
  EXPECT_NE(error_of(spec_text(kTriadCheck, R"({"gpu_names": ["X"], "pci_device_ids": ["0x2330"], "pci_ids_source": "p"})"))
                .find("got '0x2330'"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(kTriadCheck, R"({"gpu_names": ["X"], "pci_device_ids": ["10de:2330"]})")).find("$.match.pci_ids_source"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(kTriadCheck, R"({"gpu_names": ["X"], "pci_device_ids": ["10de:2330", "10de:2330"], "pci_ids_source": "p"})"))
                .find("repeats"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(kTriadCheck, R"({"host_only": true, "pci_device_ids": ["10de:2330"], "pci_ids_source": "p"})"))
                .find("host-only"),
            std::string::npos);
}

namespace {
core::Results with_ids(core::Results r, const std::string& name, const char* vendor, const char* device) {
  for (auto& d : r.devices) {
    d.name = name;
    d.pci_vendor_id = vendor;
    d.pci_device_id = device;
  }
  return r;
}
}  // namespace

TEST(AcceptanceSpec, PciIdMatchesBeforeTheName) {
  const auto specs = load_specs(default_acceptance_dir());
  // The shipped GPU specs carry the ids checked against pci.ids (see their pci_ids_source).
  std::map<std::string, std::vector<std::string>> ids;
  for (const auto& s : specs) ids[s.name] = s.pci_device_ids;
  EXPECT_EQ(ids["NVIDIA H100 SXM5 80GB"], std::vector<std::string>{"10de:2330"});
  EXPECT_EQ(ids["NVIDIA A100 SXM4 80GB"], std::vector<std::string>{"10de:20b2"});
  EXPECT_EQ(ids["NVIDIA H200 SXM 141GB"], std::vector<std::string>{"10de:2335"});

  // A renamed GPU (a driver or hypervisor that reports another name) still gets its SKU's spec.
  const auto renamed = with_ids(gpu_node(1.0), "GRID virtual GPU 7", "0x10de", "0x2330");
  const auto choice = choose_spec(specs, renamed, "dir");
  EXPECT_EQ(choice.spec->name, "NVIDIA H100 SXM5 80GB");
  EXPECT_EQ(choice.reason, "PCI id 10de:2330 of GPU 0");
  EXPECT_EQ(select_spec(specs, with_ids(gpu_node(1.0), "NVIDIA H100 80GB HBM3", "0x10de", "0x2335"), "dir").name,
            "NVIDIA H200 SXM 141GB");  // the id wins over a name that says H100

  // An H100 PCIe (10de:2331) whose name matches the SXM5 spec: the id contradicts the name match, so
  // the SXM5 thresholds are not applied; the user must pick a spec.
  try {
    choose_spec(specs, with_ids(gpu_node(1.0), "NVIDIA H100 80GB HBM3", "0x10de", "0x2331"), "dir");
    FAIL() << "a contradicted name match was used";
  } catch (const core::InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("PCI id 10de:2331"), std::string::npos) << msg;
    EXPECT_NE(msg.find("lists PCI id(s) 10de:2330"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--spec"), std::string::npos) << msg;
  }

  // Without ids in the results (older files, no sysfs): by name, as before.
  EXPECT_NE(choose_spec(specs, gpu_node(1.0), "dir").reason.find("carry no PCI id"), std::string::npos);
  // A spec without verified ids is still matched by name when the GPU's id is unknown to every spec.
  std::vector<Spec> unverified = {spec_from_json(spec_text(kTriadCheck, R"({"gpu_names": ["H100"]})"), "u.json")};
  const auto c = choose_spec(unverified, with_ids(gpu_node(1.0), "NVIDIA H100 PCIe", "0x10de", "0x2331"), "dir");
  EXPECT_EQ(c.spec, &unverified[0]);
  EXPECT_NE(c.reason.find("lists no ids"), std::string::npos);
  // Neither id nor name: an error that names both.
  try {
    choose_spec(specs, with_ids(gpu_node(1.0), "Mystery", "0x1002", "0x74a1"), "dir");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'Mystery' (PCI id 1002:74a1)"), std::string::npos) << e.what();
  }
}

TEST(AcceptanceSpec, MixedGpuModelsAreRefusedWithoutSpec) {
  const auto specs = load_specs(default_acceptance_dir());
  auto mixed = with_ids(gpu_node(1.0), "NVIDIA H100 80GB HBM3", "0x10de", "0x2330");
  mixed.devices[3].pci_device_id = "0x2335";  // an H200 in the same node, same name reported
  try {
    choose_spec(specs, mixed, "dir");
    FAIL() << "a mixed node was judged by GPU 0's spec";
  } catch (const core::InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("GPU 0 'NVIDIA H100 80GB HBM3' (10de:2330) and GPU 3 'NVIDIA H100 80GB HBM3' (10de:2335)"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("--spec"), std::string::npos) << msg;
  }
  // Without ids, by name.
  auto named = gpu_node(1.0);
  named.devices[1].name = "NVIDIA A100-SXM4-80GB";
  EXPECT_THROW(choose_spec(specs, named, "dir"), core::InputError);
  // Same id, a name that differs only by how the driver reports it: one model, accepted.
  auto renamed = with_ids(gpu_node(1.0), "NVIDIA H100 80GB HBM3", "0x10de", "0x2330");
  renamed.devices[2].name = "GRID virtual GPU 7";
  EXPECT_EQ(choose_spec(specs, renamed, "dir").spec->name, "NVIDIA H100 SXM5 80GB");
}

TEST(AcceptanceSpec, PciIdInTwoSpecsIsRefused) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("headroom_specs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string m = R"({"gpu_names": ["X"], "pci_device_ids": ["10de:2330"], "pci_ids_source": "p"})";
  std::ofstream(dir / "a.json") << spec_text(kTriadCheck, m);
  std::ofstream(dir / "b.json") << spec_text(kTriadCheck, m);
  try {
    load_specs(dir);
    ADD_FAILURE() << "duplicate id accepted";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'10de:2330' is also in"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(AcceptanceEval, NothingCheckedIsNotAccepted) {
  // The spec's only check is optional and its case is not in the run: skipped, and so nothing was
  // accepted (as compare fails when nothing was tested).
  const auto spec = spec_from_json(
      spec_text(R"({"id": "missing.optional", "case": "mpi.all_reduce", "metric": "busbw_bytes_per_s", "unit": "B/s",
                    "required": false, "threshold": {"value": 1e9}, "derivation": "d", "source": "s"})"),
      "spec.json");
  const auto rep = evaluate(spec, gpu_node(1.0));
  EXPECT_EQ(rep.passed, 0u);
  EXPECT_EQ(rep.failed, 0u);
  EXPECT_EQ(rep.skipped, 1u);
  EXPECT_FALSE(rep.accepted());
  // The JUnit file fails too (CI that reads only it must not show green).
  const std::string xml = to_junit_xml(rep, gpu_node(1.0));
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"every check was skipped"), std::string::npos) << xml;
}

TEST(AcceptanceEval, PeakLargestAndOptional) {
  const std::string checks = R"(
    {"id": "ar.largest", "case": "nccl.all_reduce", "metric": "busbw_bytes_per_s", "unit": "B/s", "pick": "largest",
     "threshold": {"fraction": 0.7, "of": 450e9, "reference": "NVLink"}, "derivation": "d", "source": "s"},
    {"id": "ar.peak", "case": "nccl.all_reduce", "metric": "busbw_bytes_per_s", "unit": "B/s",
     "threshold": {"fraction": 0.7, "of": 450e9, "reference": "NVLink"}, "derivation": "d", "source": "s"},
    {"id": "missing.optional", "case": "mpi.all_reduce", "metric": "busbw_bytes_per_s", "unit": "B/s", "required": false,
     "threshold": {"value": 1e9}, "derivation": "d", "source": "s"},
    {"id": "missing.required", "case": "storage.seq_read", "metric": "bytes_per_s", "unit": "B/s",
     "threshold": {"value": 1e9}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(checks), "spec.json");
  const auto rep = evaluate(spec, gpu_node(1.0));
  ASSERT_EQ(rep.rows.size(), 4u);
  // largest message: 300 GB/s < 0.7 × 450 = 315 GB/s -> fail, although the peak (350) would pass.
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kFail);
  EXPECT_DOUBLE_EQ(*rep.rows[0].measured, 300e9);
  EXPECT_DOUBLE_EQ(*rep.rows[0].threshold, 315e9);
  EXPECT_EQ(rep.rows[0].picked, "size_bytes=1073741824,ranks=4");
  EXPECT_EQ(rep.rows[1].verdict, Verdict::kPass);
  EXPECT_DOUBLE_EQ(*rep.rows[1].measured, 350e9);
  EXPECT_EQ(rep.rows[2].verdict, Verdict::kSkipped);
  EXPECT_EQ(rep.rows[3].verdict, Verdict::kFail);
  EXPECT_NE(rep.rows[3].message.find("not measured"), std::string::npos);
  EXPECT_EQ(rep.passed, 1u);
  EXPECT_EQ(rep.failed, 2u);
  EXPECT_EQ(rep.skipped, 1u);
  EXPECT_FALSE(rep.accepted());
}

TEST(AcceptanceEval, PerDeviceAndUniformity) {
  const std::string check = R"({"id": "gemm", "case": "cuda.gemm.bf16", "metric": "flop_per_s", "unit": "FLOP/s",
    "per_device": true, "uniformity_tolerance": 0.05,
    "threshold": {"fraction": 0.7, "of": 989e12, "reference": "dense BF16"}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(check), "spec.json");
  // GPU 2 at 93 %: above 0.7 × peak (692.3 TFLOP/s) but more than 5 % below the node median.
  const auto rep = evaluate(spec, gpu_node(0.93));
  ASSERT_EQ(rep.rows.size(), 5u);
  for (int d = 0; d < 4; ++d) EXPECT_EQ(rep.rows[d].verdict, Verdict::kPass) << rep.rows[d].message;
  EXPECT_DOUBLE_EQ(*rep.rows[2].measured, 760e12 * 0.93);
  const auto& u = rep.rows[4];
  EXPECT_EQ(u.id, "gemm.uniformity");
  EXPECT_EQ(u.verdict, Verdict::kFail);
  EXPECT_DOUBLE_EQ(*u.threshold, 0.95 * 760e12);
  EXPECT_NE(u.message.find("cuda:2"), std::string::npos);
  EXPECT_TRUE(evaluate(spec, gpu_node(0.97)).accepted());  // 3 % below: within tolerance
}

TEST(AcceptanceEval, IncompleteRunIsRejectedUnlessAllowed) {
  const std::string check = R"({"id": "gemm", "case": "cuda.gemm.bf16", "metric": "flop_per_s", "unit": "FLOP/s",
    "threshold": {"fraction": 0.7, "of": 989e12, "reference": "dense BF16"}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(check), "spec.json");
  auto r = gpu_node(1.0);
  EXPECT_TRUE(evaluate(spec, r).accepted());
  EXPECT_FALSE(evaluate(spec, r).incomplete);
  r.run.incomplete = true;
  r.run.incomplete_reason = "interrupted by SIGINT";
  const auto rep = evaluate(spec, r);
  EXPECT_TRUE(rep.incomplete);
  ASSERT_EQ(rep.rows.size(), 2u);
  EXPECT_EQ(rep.rows[0].id, "run.complete");
  EXPECT_EQ(rep.rows[0].subject, "run");
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kFail);
  EXPECT_EQ(rep.rows[0].message,
            "the run is incomplete (interrupted by SIGINT): the cases it did not reach were not checked; pass "
            "--allow-incomplete to judge what was measured");
  EXPECT_EQ(rep.rows[1].verdict, Verdict::kPass);
  EXPECT_EQ(rep.failed, 1u);
  EXPECT_FALSE(rep.accepted());
  const auto allowed = evaluate(spec, r, nullptr, true);
  EXPECT_TRUE(allowed.accepted());
  ASSERT_EQ(allowed.rows.size(), 2u);
  EXPECT_EQ(allowed.rows[0].verdict, Verdict::kSkipped);
  EXPECT_EQ(allowed.skipped, 1u);
  EXPECT_NE(allowed.rows[0].message.find("allowed by --allow-incomplete"), std::string::npos);
  // Said in every output: JSON, JUnit.
  const std::string json = acceptance_to_json(rep);
  EXPECT_NE(json.find("\"incomplete\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"id\": \"run.complete\""), std::string::npos);
  const std::string xml = to_junit_xml(rep, r);
  EXPECT_NE(xml.find("<testcase classname=\"headroom.accept.run\" name=\"run.complete (run)\""), std::string::npos)
      << xml;
}

TEST(AcceptanceEval, ABusyMachineIsSaidBesideTheVerdicts) {
  const std::string check = R"({"id": "gemm", "case": "cuda.gemm.bf16", "metric": "flop_per_s", "unit": "FLOP/s",
    "threshold": {"fraction": 0.7, "of": 989e12, "reference": "dense BF16"}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(check), "spec.json");
  auto r = gpu_node(1.0);
  r.run.activity = headroom::core::Activity{30.0, 16, 0.1, 0.0, 0.2};  // idle: below 0.32 CPUs
  EXPECT_TRUE(evaluate(spec, r).warnings.empty());
  r.run.activity->other_busy_cpus = 3.5;
  r.run.activity->load_average_start = std::nullopt;
  const auto rep = evaluate(spec, r);
  EXPECT_TRUE(rep.accepted());  // the verdicts are not changed
  ASSERT_EQ(rep.warnings.size(), 1u);
  EXPECT_EQ(rep.warnings[0],
            "the machine was busy: other processes kept 3.50 of 16 CPUs busy on average during the run; CPU and "
            "memory figures understate this machine: rerun on an idle machine for an acceptance test or a baseline; "
            "a failed CPU or memory check may be the load, not the hardware");
  EXPECT_NE(acceptance_to_json(rep).find("\"warnings\": [\n    \"the machine was busy"), std::string::npos)
      << acceptance_to_json(rep);
  EXPECT_NE(to_junit_xml(rep, r).find("<property name=\"warning0\" value=\"the machine was busy"), std::string::npos);
  EXPECT_NE(render_acceptance(rep, r).find("<div class=\"warnings\">Warning: the machine was busy"), std::string::npos);
  r.run.world_size = 4;  // mpirun: the job's other ranks on the node are "other processes"
  EXPECT_TRUE(evaluate(spec, r).warnings.empty());
}

TEST(AcceptanceEval, ThresholdFromAnotherCaseAndReference) {
  auto r = host_results();
  r.cases.push_back(make_case("cpu.gemm.fp64", {}, {metric("flop_per_s", "FLOP/s", {40e9})}));
  core::Metric peak;
  peak.name = "flop_per_s";
  peak.unit = "FLOP/s";
  peak.value = 100e9;
  peak.provenance = "derived";
  r.cases.push_back(make_case("cpu.peak.fp64", {}, {peak}));
  const std::string check = R"({"id": "g", "case": "cpu.gemm.fp64", "metric": "flop_per_s", "unit": "FLOP/s",
    "threshold": {"fraction": 0.3, "of_case": "cpu.peak.fp64", "reference": "derived peak"}, "derivation": "d", "source": "s"})";
  const Spec peak_spec = spec_from_json(spec_text(check), "s.json");
  const auto rep = evaluate(peak_spec, r);
  EXPECT_DOUBLE_EQ(*rep.rows[0].threshold, 30e9);
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kPass);

  const std::string ref_check = R"({"id": "g", "case": "cpu.gemm.fp64", "metric": "flop_per_s", "unit": "FLOP/s",
    "threshold": {"fraction": 0.9, "of_case": "cpu.gemm.fp64", "from": "reference", "reference": "golden node"},
    "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(ref_check), "s.json");
  EXPECT_THROW(evaluate(spec, r), core::InputError);
  auto golden = r;
  golden.cases[0].metrics[0] = metric("flop_per_s", "FLOP/s", {50e9});
  const auto rep2 = evaluate(spec, r, &golden);
  EXPECT_DOUBLE_EQ(*rep2.rows[0].threshold, 45e9);
  EXPECT_EQ(rep2.rows[0].verdict, Verdict::kFail);
}

TEST(AcceptanceEval, LowerIsBetterUsesMaxBound) {
  auto r = host_results();
  r.cases.push_back(make_case("storage.rand_read", {}, {metric("latency_p99_s", "s", {2e-3}, core::Better::kLower)}));
  const std::string check = R"({"id": "lat", "case": "storage.rand_read", "metric": "latency_p99_s", "unit": "s",
    "threshold": {"value": 1e-3}, "derivation": "d", "source": "s"})";
  const Spec spec = spec_from_json(spec_text(check), "s.json");
  const auto rep = evaluate(spec, r);
  EXPECT_TRUE(rep.rows[0].check->at_most);
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kFail);
}

TEST(JUnit, EscapedAndCounted) {
  auto r = host_results("evil<script>alert('x')</script>&\"");
  r.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {1e9})}));
  const auto spec = spec_from_json(spec_text(kTriadCheck), "spec.json");
  const auto xml = to_junit_xml(evaluate(spec, r), r);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"1.00 GB/s &lt; 5.00 GB/s"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_NE(xml.find("evil&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;"), std::string::npos);
}

TEST(JUnit, OnlyXmlCharactersAndWellFormedUtf8) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  // Control characters cannot appear in XML 1.0, not even as references; tab, LF and CR are references.
  EXPECT_EQ(xml_escape("a\x01z\tc\x7fy\ne\rf"), "a" + r + "z&#9;c" + r + "y&#10;e&#13;f");
  EXPECT_EQ(xml_escape(std::string("x\0y", 3)), "x" + r + "y");
  // U+FFFE and U+FFFF are not characters; U+FFFD, U+E000, U+10FFFF and a 2-byte é pass through.
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE|\xEF\xBF\xBF"), r + "|" + r);
  const std::string fine = "\xEF\xBF\xBD\xEE\x80\x80\xF4\x8F\xBF\xBF\xC3\xA9";
  EXPECT_EQ(xml_escape(fine), fine);
  // A UTF-8-encoded surrogate (U+D800), an overlong '<' and '/', a value past U+10FFFF: each byte
  // of the bad sequence that does not start a valid one becomes U+FFFD, and '<' is never smuggled.
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), r + r + r);
  EXPECT_EQ(xml_escape("\xC0\xBC"), r + r);
  EXPECT_EQ(xml_escape("\xE0\x80\xAF"), r + r + r);
  EXPECT_EQ(xml_escape("\xF4\x90\x80\x80"), r + r + r + r);
  // Stray continuation byte, a truncated sequence at the end and in the middle, bytes 0xF8-0xFF.
  EXPECT_EQ(xml_escape("a\x80z"), "a" + r + "z");
  EXPECT_EQ(xml_escape("a\xE2\x82"), "a" + r + r);
  EXPECT_EQ(xml_escape("\xE2\x82<"), r + r + "&lt;");
  EXPECT_EQ(xml_escape("\xF8\xFF"), r + r);
  EXPECT_EQ(xml_escape("\xE2\x82\xAC 5"), "\xE2\x82\xAC 5");  // € stays
}

TEST(AcceptanceEval, LargestDefaultsToTheBenchmarksSizeParameter) {
  // Real STREAM results carry array_bytes and storage block_bytes, not size_bytes: "largest" without
  // a "param" orders by the benchmark's own size parameter.
  const std::string checks = R"(
    {"id": "triad.largest", "case": "cpu.stream.triad", "metric": "bytes_per_s", "unit": "B/s", "pick": "largest",
     "threshold": {"value": 1e9}, "derivation": "d", "source": "s"},
    {"id": "seq.largest", "case": "storage.seq_read", "metric": "bytes_per_s", "unit": "B/s", "pick": "largest",
     "threshold": {"value": 1e9}, "derivation": "d", "source": "s"},
    {"id": "ar.largest", "case": "nccl.all_reduce", "metric": "busbw_bytes_per_s", "unit": "B/s", "pick": "largest",
     "threshold": {"value": 1e9}, "derivation": "d", "source": "s"},
    {"id": "small.largest", "case": "storage.small_files", "metric": "read_files_per_s", "unit": "files/s",
     "pick": "largest", "threshold": {"value": 1}, "derivation": "d", "source": "s"})";
  const auto spec = spec_from_json(spec_text(checks), "spec.json");
  ASSERT_EQ(spec.checks.size(), 4u);
  EXPECT_EQ(spec.checks[3].pick_param, "file_bytes");  // storage.small_files has no other size
  EXPECT_EQ(spec.checks[0].pick_param, "array_bytes");
  EXPECT_EQ(spec.checks[1].pick_param, "block_bytes");
  EXPECT_EQ(spec.checks[2].pick_param, "size_bytes");
  auto r = gpu_node(1.0);
  for (std::int64_t bytes : {std::int64_t{1} << 26, std::int64_t{1} << 28}) {
    r.cases.push_back(make_case("cpu.stream.triad", {{"array_bytes", bytes}, {"threads", std::int64_t{8}}},
                                {metric("bytes_per_s", "B/s", {bytes > (1 << 26) ? 20e9 : 30e9})}));
  }
  for (std::int64_t block : {std::int64_t{4096}, std::int64_t{1} << 20}) {
    r.cases.push_back(make_case("storage.seq_read",
                                {{"file_bytes", std::int64_t{1} << 30}, {"size_bytes", std::int64_t{1} << 28},
                                 {"block_bytes", block}, {"queue_depth", std::int64_t{32}}},
                                {metric("bytes_per_s", "B/s", {block > 4096 ? 3e9 : 5e9})}));
  }
  for (std::int64_t file : {std::int64_t{4096}, std::int64_t{65536}}) {
    r.cases.push_back(make_case("storage.small_files", {{"files", std::int64_t{10000}}, {"file_bytes", file}},
                                {metric("read_files_per_s", "files/s", {file > 4096 ? 2000.0 : 9000.0})}));
  }
  const auto rep = evaluate(spec, r);
  ASSERT_EQ(rep.rows.size(), 4u);
  ASSERT_TRUE(rep.rows[3].measured);
  EXPECT_DOUBLE_EQ(*rep.rows[3].measured, 2000.0);  // the 64 KiB files (review: size_bytes found nothing)
  ASSERT_TRUE(rep.rows[0].measured);
  EXPECT_DOUBLE_EQ(*rep.rows[0].measured, 20e9);  // the 256 MiB arrays, not the faster 64 MiB
  EXPECT_EQ(rep.rows[0].picked, "array_bytes=268435456,threads=8");
  ASSERT_TRUE(rep.rows[1].measured);
  EXPECT_DOUBLE_EQ(*rep.rows[1].measured, 3e9);  // 1 MiB requests
  EXPECT_DOUBLE_EQ(*rep.rows[2].measured, 300e9);
}
