#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/core/results.hpp"
#include "headroom/core/units.hpp"

using namespace headroom::core;

namespace {
Results sample_results() {
  Results r;
  r.run.id = "0123456789abcdef";
  r.run.started_at = "2026-11-22T10:00:00Z";
  r.run.finished_at = "2026-11-22T10:01:00Z";
  r.run.tool_version = "0.1.0";
  r.run.command_line = "headroom bench --suite quick";
  r.run.policy = policy_for_suite("quick");
  r.run.notes = {"CUDA: built without the CUDA toolkit"};
  r.host.hostname = "node-a";
  r.host.cpu_model = "Test CPU";
  r.host.cores = 2;
  r.host.threads = 2;
  r.host.l2_bytes = 1 << 20;
  r.host.memory_bytes = 24LL << 30;
  r.host.cpu_flags = {"avx2", "avx512f"};
  DeviceInfo d;
  d.index = 0;
  d.name = "NVIDIA H100 80GB HBM3";
  d.memory_bytes = 85520809984LL;
  d.driver_version = "580.65";
  d.ecc_enabled = true;
  r.devices.push_back(d);

  CaseResult c;
  c.name = "cpu.gemm.fp64";
  c.params = {{"m", std::int64_t{512}}, {"n", std::int64_t{512}}, {"k", std::int64_t{512}}, {"layout", std::string("nn")}};
  c.verified = true;
  c.samples_s = {0.010, 0.011, 0.012};
  Metric m;
  m.name = "flop_per_s";
  m.unit = "FLOP/s";
  m.note = "2·M·N·K";
  for (double s : c.samples_s) m.samples.push_back(gemm_flop(512, 512, 512) / s);
  finalize_metric(m, Statistic::kMedian);
  c.metrics.push_back(m);
  r.cases.push_back(c);

  CaseResult w;
  w.name = "cuda.gemm.bf16";
  w.status = Status::kWaived;
  w.message = "no CUDA device/driver found";
  w.params = {{"m", std::int64_t{8192}}};
  r.cases.push_back(w);
  return r;
}
}  // namespace

TEST(Results, RoundTripPreservesEverything) {
  const Results a = sample_results();
  const std::string text = results_to_json(a);
  const Results b = results_from_json(text, "mem.json");
  EXPECT_EQ(results_to_json(b), text);  // serialisation is a fixed point
  ASSERT_EQ(b.cases.size(), 2u);
  EXPECT_EQ(b.cases[0].params, a.cases[0].params);  // declared order and types survive
  EXPECT_EQ(b.cases[0].verified, std::optional<bool>(true));
  EXPECT_DOUBLE_EQ(*b.cases[0].metrics[0].value, gemm_flop(512, 512, 512) / 0.011);
  EXPECT_EQ(b.cases[1].status, Status::kWaived);
  EXPECT_FALSE(b.devices[0].uuid.has_value());  // null stays null
  EXPECT_EQ(b.devices[0].memory_bytes, 85520809984LL);
  EXPECT_EQ(b.run.policy, a.run.policy);
}

TEST(Results, NullMetricValueIsNotZero) {
  Results a = sample_results();
  a.cases[0].metrics[0].value.reset();
  a.cases[0].metrics[0].samples.clear();
  a.cases[0].metrics[0].summary.reset();
  const auto doc = nlohmann::json::parse(results_to_json(a));
  EXPECT_TRUE(doc["cases"][0]["metrics"][0]["value"].is_null());
  EXPECT_FALSE(results_from_json(doc.dump(), "x").cases[0].metrics[0].value.has_value());
}

namespace {
std::string error_of(const std::function<void(nlohmann::json&)>& mutate) {
  auto doc = nlohmann::json::parse(results_to_json(sample_results()));
  mutate(doc);
  try {
    results_from_json(doc.dump(), "bad.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Results, StrictLoadingNamesFilePathAndExpectation) {
  EXPECT_EQ(error_of([](auto& d) { d["schema_version"] = "2.0"; }).rfind("bad.json: $.schema_version: expected major version 1", 0), 0u);
  EXPECT_NE(error_of([](auto& d) { d["schema"] = "other"; }).find("$.schema"), std::string::npos);
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["samples_s"][1] = -1.0; }),
            "bad.json: $.cases[0].samples_s[1]: expected a finite number >= 0, got -1.0");
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["samples_s"][0] = "fast"; }),
            "bad.json: $.cases[0].samples_s[0]: expected a finite number >= 0, got a string");
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0].erase("metrics"); }),
            "bad.json: $.cases[0].metrics: expected a required field (it is missing)");
  EXPECT_NE(error_of([](auto& d) { d["cases"][1]["status"] = "skipped"; }).find("one of passed, waived, error"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["run"]["policy"]["repetitions"] = 0; }).find("$.run.policy.repetitions"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"]["n"] = 7; }).find("number of samples"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"] = nlohmann::json::array(); }).find("at least one metric"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["devices"][0]["memory_bytes"] = 1.5; }).find("$.devices[0].memory_bytes"),
            std::string::npos);
}

TEST(Results, NullIsRefusedWhereTheSchemaDoesNotAllowIt) {
  // "incomplete": null once read as false: an interrupted run then passed compare and accept.
  EXPECT_EQ(error_of([](auto& d) { d["run"]["incomplete"] = nullptr; }),
            "bad.json: $.run.incomplete: expected a value, not null (leave the field out for its default)");
  for (const char* key : {"filter", "world_size", "notes", "finished_at"}) {
    EXPECT_NE(error_of([&](auto& d) { d["run"][key] = nullptr; }).find(std::string("$.run.") + key + ": expected a value"),
              std::string::npos)
        << key;
  }
  for (const char* key : {"message", "device", "wall_s", "param_order"}) {
    EXPECT_NE(error_of([&](auto& d) { d["cases"][0][key] = nullptr; }).find(std::string("$.cases[0].") + key),
              std::string::npos)
        << key;
  }
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["provenance"] = nullptr; })
                .find("$.cases[0].metrics[0].provenance: expected a value, not null"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["host"]["virtualized"] = nullptr; }).find("$.host.virtualized"), std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["run"]["policy"]["rounds"] = nullptr; }).find("$.run.policy.rounds"),
            std::string::npos);
  // Where the schema allows null, null still means "not known" / "not measured".
  EXPECT_EQ(error_of([](auto& d) {
              d["cases"][0]["verified"] = nullptr;
              d["devices"][0]["driver_version"] = nullptr;
              d["host"]["cores"] = nullptr;
            }),
            "no error");
  // Absent is still the default.
  EXPECT_EQ(error_of([](auto& d) { d["run"].erase("incomplete"); }), "no error");
  EXPECT_NE(error_of([](auto& d) { d["schema_version"] = "01.1"; }).find("$.schema_version"), std::string::npos);
}

TEST(Results, MoreMetricSamplesThanRepetitionsAreRefused) {
  // sample_results: 3 timed repetitions, flop_per_s with 3 samples. With 2 repetitions recorded,
  // 3 samples cannot come from the run.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["samples_s"].erase(2); }),
            "bad.json: $.cases[0].metrics[0].samples: expected at most one sample per timed repetition (2, the length "
            "of samples_s), got 3");
  // Fewer is a value measured once per case by design; none recorded (older files) is not checked.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["samples_s"].push_back(0.013); }), "no error");
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["samples_s"] = nlohmann::json::array(); }), "no error");
}

TEST(Results, APassedCaseThatFailedVerificationIsRefused) {
  // The runner makes such a result an error; a file claiming both is not one headroom wrote.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["verified"] = false; }),
            "bad.json: $.cases[0].verified: expected true or absent for a passed case (a result that failed its "
            "check is an error)");
  EXPECT_EQ(error_of([](auto& d) {
              d["cases"][0]["verified"] = false;
              d["cases"][0]["status"] = "error";
              d["cases"][0]["metrics"] = nlohmann::json::array();
            }),
            "no error");
}

TEST(Results, PolicyRoundsRoundTripAndDefaultForOldFiles) {
  Results a = sample_results();
  a.run.policy.rounds = 4;
  auto doc = nlohmann::json::parse(results_to_json(a));
  EXPECT_EQ(doc["schema_version"], "1.2");
  EXPECT_EQ(doc["run"]["policy"]["rounds"], 4);
  EXPECT_EQ(results_from_json(doc.dump(), "x").run.policy.rounds, 4);
  // A 1.0 file has no "rounds": its cases were run back to back, i.e. in one round.
  doc["schema_version"] = "1.0";
  doc["run"]["policy"].erase("rounds");
  EXPECT_EQ(results_from_json(doc.dump(), "old.json").run.policy.rounds, 1);
  EXPECT_NE(error_of([](auto& d) { d["run"]["policy"]["rounds"] = 0; }).find("$.run.policy.rounds"),
            std::string::npos);
}

TEST(Results, SyntaxErrorIsInputError) {
  try {
    results_from_json("{\"schema\": ", "trunc.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("trunc.json: expected valid JSON", 0), 0u);
  }
}

TEST(Results, SuitePolicies) {
  EXPECT_EQ(policy_for_suite("quick").repetitions, 9);  // >= 9 so Mann-Whitney comparisons work
  EXPECT_GT(policy_for_suite("full").repetitions, policy_for_suite("standard").repetitions);
  // Every suite interleaves, with at least 3 samples per round (a median of 3 per round).
  for (const char* suite : {"quick", "standard", "full"}) {
    const RunPolicy p = policy_for_suite(suite);
    EXPECT_GE(p.rounds, 3) << suite;
    EXPECT_GE(p.repetitions / p.rounds, 3) << suite;
  }
  EXPECT_THROW(policy_for_suite("huge"), InputError);
}

TEST(Results, ParamsKeyIsStable) {
  const Params p = {{"m", std::int64_t{4}}, {"precision", std::string("bf16")}, {"pinned", true}, {"x", 0.5}};
  EXPECT_EQ(params_key(p), "m=4,precision=bf16,pinned=true,x=0.5");
  EXPECT_NE(find_param(p, "precision"), nullptr);
  EXPECT_EQ(find_param(p, "nope"), nullptr);
}

TEST(Results, CaseIdentityIgnoresParameterOrder) {
  CaseResult a;
  a.name = "cpu.gemm.fp64";
  a.params = {{"m", std::int64_t{512}}, {"n", std::int64_t{256}}, {"k", std::int64_t{128}}};
  CaseResult b = a;
  b.params = {{"k", std::int64_t{128}}, {"m", std::int64_t{512}}, {"n", std::int64_t{256}}};
  EXPECT_EQ(case_identity(a), case_identity(b));
  EXPECT_EQ(case_identity(a), "cpu.gemm.fp64\nk=128,m=512,n=256\nhost");
  b.params[0].value = std::int64_t{64};
  EXPECT_NE(case_identity(a), case_identity(b));
  b = a;
  b.device = "cuda:0";
  EXPECT_NE(case_identity(a), case_identity(b));
}

TEST(Results, PciIdsRoundTripAndValidation) {
  Results a = sample_results();
  a.devices[0].pci_bus_id = "0000:3b:00.0";
  a.devices[0].pci_vendor_id = "0x10de";
  a.devices[0].pci_device_id = "0x2330";
  const std::string text = results_to_json(a);
  const Results b = results_from_json(text, "ids.json");
  EXPECT_EQ(b.devices[0].pci_vendor_id, std::optional<std::string>("0x10de"));
  EXPECT_EQ(b.devices[0].pci_device_id, std::optional<std::string>("0x2330"));
  EXPECT_EQ(results_to_json(b), text);
  // Files written before the ids existed have no such keys: null, not an error.
  auto doc = nlohmann::json::parse(text);
  doc["devices"][0].erase("pci_vendor_id");
  doc["devices"][0].erase("pci_device_id");
  EXPECT_FALSE(results_from_json(doc.dump(), "old.json").devices[0].pci_device_id.has_value());
  EXPECT_EQ(error_of([](auto& d) { d["devices"][0]["pci_device_id"] = "2330"; }),
            "bad.json: $.devices[0].pci_device_id: expected a PCI id like \"0x10de\" (0x and 4 lower-case hex "
            "digits) or null");
  EXPECT_NE(error_of([](auto& d) { d["devices"][0]["pci_vendor_id"] = "0x10DE"; }).find("$.devices[0].pci_vendor_id"),
            std::string::npos);
  EXPECT_TRUE(is_pci_id("0x20b2"));
  EXPECT_FALSE(is_pci_id("0x20b"));
  EXPECT_FALSE(is_pci_id("0x20bg"));
  EXPECT_FALSE(is_pci_id("10de:2330"));
}

TEST(Results, NamesFollowTheSchemaPatterns) {
  // results.schema.json: case names ^[a-z0-9_]+(\.[a-z0-9_]+)+$, metric names ^[a-z0-9_]+$.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["name"] = "CPU.Gemm"; }),
            "bad.json: $.cases[0].name: expected a case name matching ^[a-z0-9_]+(\\.[a-z0-9_]+)+$ (dotted "
            "lower-case words such as cpu.gemm.fp64), got 'CPU.Gemm'");
  for (const char* bad : {"cpugemm", "cpu..gemm", ".cpu.gemm", "cpu.gemm.", "cpu.gemm-fp64", "cpu.gemm fp64", ""}) {
    EXPECT_NE(error_of([&](auto& d) { d["cases"][1]["name"] = bad; }).find("$.cases[1].name: expected a case name matching"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0]["name"] = "Flop-per-s"; }),
            "bad.json: $.cases[0].metrics[0].name: expected a metric name matching ^[a-z0-9_]+$ (lower-case "
            "snake_case such as flop_per_s), got 'Flop-per-s'");
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["name"] = ""; }).find("$.cases[0].metrics[0].name"),
            std::string::npos);
  // What headroom writes passes: digits, underscores, more than two parts.
  EXPECT_EQ(error_of([](auto& d) {
              d["cases"][1]["name"] = "nccl.all_reduce.alpha_beta";
              d["cases"][0]["metrics"][0]["name"] = "gemm_flop_per_s";
            }),
            "no error");
}

TEST(Results, AUnitSuffixFixesTheUnit) {
  // A metric whose name says its unit must be in it: a flop_per_s in 'zzz' would otherwise load and
  // the acceptance spec that checks it in FLOP/s would be blamed for the mismatch.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0]["unit"] = "zzz"; }),
            "bad.json: $.cases[0].metrics[0].unit: expected 'FLOP/s' for a metric named flop_per_s ('OP/s' for an "
            "integer GEMM), got 'zzz'");
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0]["unit"] = "OP/s"; }), "no error");  // cuda.gemm.int8
  EXPECT_EQ(unit_for_metric_name("busbw_bytes_per_s"), "B/s");
  EXPECT_EQ(unit_for_metric_name("latency_p99_9_s"), "s");
  EXPECT_EQ(unit_for_metric_name("iops"), "IO/s");
  EXPECT_EQ(unit_for_metric_name("read_files_per_s"), "files/s");
  EXPECT_EQ(unit_for_metric_name("clock_hz"), "Hz");
  EXPECT_EQ(unit_for_metric_name("working_set_bytes"), "B");
  EXPECT_EQ(unit_for_metric_name("r2"), "");  // dimensionless: any unit, even none
}

namespace {
std::string load_error(const Results& r) {
  try {
    results_from_json(results_to_json(r), "dup.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Results, RepeatedMetricAndFlippedDirectionAreRefused) {
  // Two flop_per_s metrics in one case: compare and the profile would read only one of them.
  Results r = sample_results();
  r.cases[0].metrics.push_back(r.cases[0].metrics[0]);
  EXPECT_EQ(load_error(r), "dup.json: $.cases[0].metrics[1].name: expected each metric once in a case, got "
                           "'flop_per_s' again");
  // A rate marked better lower (or a time better higher) would turn regressions into improvements.
  Results flipped = sample_results();
  flipped.cases[0].metrics[0].better = Better::kLower;
  EXPECT_EQ(load_error(flipped),
            "dup.json: $.cases[0].metrics[0].better: expected \"higher\" for a metric in FLOP/s, got \"lower\"");
  Results slow = sample_results();
  Metric& t = slow.cases[0].metrics[0];
  t.name = "time_s";
  t.unit = "s";
  t.better = Better::kHigher;
  EXPECT_EQ(load_error(slow),
            "dup.json: $.cases[0].metrics[0].better: expected \"lower\" for a metric in s, got \"higher\"");
  // A unit without an inherent direction (bytes) may go either way.
  Results bytes = sample_results();
  bytes.cases[0].metrics[0].name = "footprint_bytes";
  bytes.cases[0].metrics[0].unit = "B";
  bytes.cases[0].metrics[0].better = Better::kLower;
  EXPECT_EQ(load_error(bytes), "no error");
}

TEST(Results, RepeatedCaseIsRefusedNamingTheEarlierIndex) {
  // A 50 %-slower copy of a passed case appended to the file: compare would keep only one of them.
  Results r = sample_results();
  CaseResult slow = r.cases[0];
  for (double& s : slow.samples_s) s *= 1.5;
  for (double& v : slow.metrics[0].samples) v /= 1.5;
  finalize_metric(slow.metrics[0], Statistic::kMedian);
  r.cases.push_back(slow);
  EXPECT_EQ(load_error(r),
            "dup.json: $.cases[2]: expected each case once (name, params and device identify it), got "
            "cpu.gemm.fp64 m=512,n=512,k=512,layout=nn on host again (first at $.cases[0])");

  // The same parameters in another order, or an integer written as 512.0, are the same case.
  Results reordered = sample_results();
  reordered.cases.push_back(reordered.cases[0]);
  std::swap(reordered.cases[2].params[0], reordered.cases[2].params[3]);
  reordered.cases[2].params[1].value = 512.0;
  EXPECT_NE(load_error(reordered).find("dup.json: $.cases[2]: expected each case once"), std::string::npos);

  // Waived and error cases have an identity too (a waived copy first would hide the measured one).
  Results waived = sample_results();
  waived.cases.push_back(waived.cases[1]);
  waived.cases[2].status = Status::kError;
  EXPECT_NE(load_error(waived).find("$.cases[2]: expected each case once"), std::string::npos);
  EXPECT_NE(load_error(waived).find("(first at $.cases[1])"), std::string::npos);

  // One name with other parameters (a size sweep), or on another device or rank set, is another case.
  Results ok = sample_results();
  CaseResult bigger = ok.cases[0];
  bigger.params[0].value = std::int64_t{1024};
  ok.cases.push_back(bigger);
  CaseResult other_gpu = ok.cases[1];
  other_gpu.device = "cuda:1";
  ok.cases.push_back(other_gpu);
  CaseResult ranks = ok.cases[0];
  ranks.device = "ranks:2";
  ok.cases.push_back(ranks);
  EXPECT_EQ(load_error(ok), "no error");
  EXPECT_EQ(results_from_json(results_to_json(ok), "ok.json").cases.size(), 5u);
}

TEST(Results, SampledMetricValueAndSummaryMatchTheSamples) {
  // Samples 2^28 / {0.010, 0.011, 0.012} s: the median is 2^28 / 0.011.
  const double median = gemm_flop(512, 512, 512) / 0.011;
  const std::string metric = "bad.json: $.cases[0].metrics[0]";
  // A hand-edited headline value while the samples stay as measured.
  const std::string edited = error_of([](auto& d) { d["cases"][0]["metrics"][0]["value"] = 1.0; });
  EXPECT_EQ(edited.rfind(metric + ".value: expected ", 0), 0u) << edited;
  EXPECT_NE(edited.find(", the median of the 3 samples (run.policy.statistic), got 1"), std::string::npos) << edited;
  EXPECT_NEAR(std::stod(edited.substr(edited.find("expected ") + 9)), median, 1e-6 * median);
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0]["value"] = nullptr; }).rfind(metric + ".value: expected ", 0),
            0u);
  // No summary although there are samples.
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"] = nullptr; }),
            metric + ".summary: expected a summary of the 3 samples, got null");
  EXPECT_EQ(error_of([](auto& d) { d["cases"][0]["metrics"][0].erase("summary"); }),
            metric + ".summary: expected a summary of the 3 samples, got none");
  // Summary fields that are not those of the samples.
  const std::string med = error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"]["median"] = 2.5e10; });  // between min and max
  EXPECT_EQ(med.rfind(metric + ".summary.median: expected ", 0), 0u) << med;
  EXPECT_NE(med.find(", the median of the 3 samples, got 25000000000"), std::string::npos) << med;
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"]["max"] = 1e12; }).find(metric + ".summary.max: expected"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"]["stdev"] = 0.0; }).find(metric + ".summary.stdev"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["summary"]["cv"] = 0.5; }).find(metric + ".summary.cv"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) { d["cases"][0]["metrics"][0]["samples"][0] = 1.0; }).find(metric + ".summary."),
            std::string::npos);
  // A float round trip through another tool is not an edit: 1e-12 relative passes.
  EXPECT_EQ(error_of([&](auto& d) {
              d["cases"][0]["metrics"][0]["value"] = median * (1 + 1e-12);
              d["cases"][0]["metrics"][0]["summary"]["mean"] = d["cases"][0]["metrics"][0]["summary"]["mean"].template get<double>() * (1 - 1e-12);
            }),
            "no error");
  // One outlier sample does not widen the tolerance of the order statistics: a median edited from
  // 1000 to 1900 is refused although it is tiny next to the 1e13 outlier.
  const std::string outlier = error_of([](auto& d) {
    auto& m = d["cases"][0]["metrics"][0];
    std::vector<double> s(8, 1000.0);
    s.push_back(1e13);
    const Summary sum = summarize(s);
    m["samples"] = s;
    m["summary"] = {{"n", sum.n},       {"median", 1900.0},   {"mean", sum.mean}, {"min", sum.min}, {"max", sum.max},
                    {"p5", sum.p5},     {"p95", sum.p95},     {"stdev", sum.stdev}, {"cv", sum.cv}};
    m["value"] = 1900.0;
    d["cases"][0]["samples_s"] = std::vector<double>(9, 0.01);  // one repetition per sample
  });
  EXPECT_EQ(outlier.rfind(metric + ".summary.median: expected 1000, the median of the 9 samples, got 1900", 0), 0u)
      << outlier;
}

TEST(Results, HeadlineValueFollowsThePolicyStatistic) {
  Results r = sample_results();
  r.run.policy.statistic = Statistic::kMin;
  EXPECT_NE(load_error(r).find("$.cases[0].metrics[0].value: expected "), std::string::npos);  // value is the median
  EXPECT_NE(load_error(r).find(", the min of the 3 samples (run.policy.statistic), got "), std::string::npos);
  finalize_metric(r.cases[0].metrics[0], Statistic::kMin);
  EXPECT_EQ(load_error(r), "no error");
  EXPECT_DOUBLE_EQ(*results_from_json(results_to_json(r), "min.json").cases[0].metrics[0].value,
                   gemm_flop(512, 512, 512) / 0.012);
}

TEST(Results, MetricsWithoutSamplesAndSingleSamplesStillLoad) {
  Results r = sample_results();
  // A derived value (no samples, no summary), as cpu.peak and *.alpha_beta write it.
  Metric derived;
  derived.name = "alpha_s";
  derived.unit = "s";
  derived.better = Better::kLower;
  derived.value = 2.5e-6;
  derived.provenance = "derived";
  r.cases[0].metrics.push_back(derived);
  derived.name = "beta_bytes_per_s";
  derived.unit = "B/s";
  derived.better = Better::kHigher;
  derived.value.reset();  // unbounded: null
  r.cases[0].metrics.push_back(derived);
  // One sample for nine repetitions, as storage.small_files' create_files_per_s.
  Metric once;
  once.name = "create_files_per_s";
  once.unit = "files/s";
  once.samples = {12345.0};
  finalize_metric(once, Statistic::kMedian);
  r.cases[0].metrics.push_back(once);
  const Results back = results_from_json(results_to_json(r), "mixed.json");
  ASSERT_EQ(back.cases[0].metrics.size(), 4u);
  EXPECT_DOUBLE_EQ(*back.cases[0].metrics[1].value, 2.5e-6);
  EXPECT_FALSE(back.cases[0].metrics[2].value.has_value());
  EXPECT_DOUBLE_EQ(*back.cases[0].metrics[3].value, 12345.0);
  EXPECT_EQ(back.cases[0].metrics[3].summary->n, 1);
}

TEST(Inventory, ReadsPciIdsFromSysfsFiles) {
  // A stand-in for /sys/bus/pci/devices/0000:3b:00.0: sysfs prints "0x10de\n".
  const auto dir = std::filesystem::temp_directory_path() / ("headroom_pci_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "vendor") << "0x10DE\n";  // upper case is normalised
  std::ofstream(dir / "device") << "0x2330\n";
  PciIds ids = read_pci_ids(dir);
  EXPECT_EQ(ids.vendor, std::optional<std::string>("0x10de"));
  EXPECT_EQ(ids.device, std::optional<std::string>("0x2330"));
  std::ofstream(dir / "device") << "garbage\n";
  EXPECT_FALSE(read_pci_ids(dir).device.has_value());
  std::filesystem::remove_all(dir);
  ids = read_pci_ids(dir);  // not readable: null, never a made-up value
  EXPECT_FALSE(ids.vendor.has_value());
  EXPECT_FALSE(ids.device.has_value());
}

TEST(Results, ActivityRoundTripAndValidation) {
  Results a = sample_results();
  a.run.activity = Activity{12.5, 2, 0.75, 0.0625, 1.5};
  const std::string text = results_to_json(a);
  const Results b = results_from_json(text, "act.json");
  ASSERT_TRUE(b.run.activity.has_value());
  EXPECT_EQ(b.run.activity->cpus, 2);
  EXPECT_DOUBLE_EQ(b.run.activity->other_busy_cpus, 0.75);
  EXPECT_DOUBLE_EQ(b.run.activity->steal_cpus, 0.0625);
  EXPECT_EQ(b.run.activity->load_average_start, std::optional<double>(1.5));
  EXPECT_EQ(results_to_json(b), text);
  // Unknown (no /proc/stat) is null; a 1.1 file has no key at all: both read as unknown.
  a.run.activity.reset();
  auto doc = nlohmann::json::parse(results_to_json(a));
  EXPECT_TRUE(doc["run"]["activity"].is_null());
  EXPECT_FALSE(results_from_json(doc.dump(), "null.json").run.activity.has_value());
  doc["run"].erase("activity");
  doc["schema_version"] = "1.1";
  EXPECT_FALSE(results_from_json(doc.dump(), "old.json").run.activity.has_value());
  // A load average may be unknown; the measured figures may not, nor be negative or misspelt.
  doc = nlohmann::json::parse(text);
  doc["run"]["activity"]["load_average_start"] = nullptr;
  EXPECT_FALSE(results_from_json(doc.dump(), "x").run.activity->load_average_start.has_value());
  EXPECT_NE(error_of([](auto& d) {
              d["run"]["activity"] = {{"wall_s", 1}, {"cpus", 2}, {"other_busy_cpus", -0.5}, {"steal_cpus", 0}};
            }).find("$.run.activity.other_busy_cpus"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) {
              d["run"]["activity"] = {{"wall_s", 1}, {"cpus", 0}, {"other_busy_cpus", 0}, {"steal_cpus", 0}};
            }).find("$.run.activity.cpus"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) {
              d["run"]["activity"] = {{"wall_s", 1}, {"cpus", 2}, {"other_busy_cpus", 0}, {"steal_cpus", nullptr}};
            }).find("$.run.activity.steal_cpus"),
            std::string::npos);
  EXPECT_NE(error_of([](auto& d) {
              d["run"]["activity"] = {{"wall_s", 1}, {"cpus", 2}, {"other_busy_cpu", 0}, {"steal_cpus", 0}};
            }).find("other_busy_cpu"),
            std::string::npos);
}

TEST(Results, APassedGpuCaseNeedsItsGpuInDevices) {
  // sample_results has GPU 0 in devices; a passed case on it loads, on a GPU not listed it does not
  // (the profile would otherwise describe a "CPU" with HBM figures).
  Results r = sample_results();
  r.cases[0].device = "cuda:0";
  EXPECT_EQ(load_error(r), "no error");
  r.cases[0].device = "cuda:3";
  EXPECT_EQ(load_error(r),
            "dup.json: $.cases[0].device: expected a GPU listed in $.devices (this passed case ran on "
            "cuda:3, and $.devices has no such index)");
  r.cases[0].device = "cuda:*";  // every GPU of the node: any listed one will do
  EXPECT_EQ(load_error(r), "no error");
  r.devices.clear();
  EXPECT_EQ(load_error(r),
            "dup.json: $.cases[0].device: expected a GPU listed in $.devices (this passed case ran on "
            "cuda:*, and $.devices is empty)");
  r.cases[0].device = "all ranks";  // multi-rank NCCL: the devices are the ranks'
  EXPECT_EQ(load_error(r), "no error");
}
