#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/export.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/prometheus.hpp"
#include "headroom/report/svg.hpp"

using namespace headroom;
using namespace headroom::report;
using namespace headroom::report::testing;

TEST(Prometheus, NamesAndLabelsAreValid) {
  EXPECT_EQ(prom_metric_name("headroom_bytes_per_s"), "headroom_bytes_per_s");
  EXPECT_EQ(prom_metric_name("9lives.per-s"), "_lives_per_s");
  EXPECT_EQ(prom_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Prometheus, TextfileFormat) {
  auto r = host_results("node\"1");
  r.cases.push_back(make_case("cpu.stream.triad", {{"array_bytes", std::int64_t{268435456}}},
                              {metric("bytes_per_s", "B/s", {4e9, 5e9, 6e9})}));
  r.cases.push_back(make_case("storage.seq_read", {}, {}));
  r.cases.back().status = core::Status::kWaived;
  auto cur = r;
  for (auto& s : cur.cases[0].metrics[0].samples) s *= 0.5;
  core::finalize_metric(cur.cases[0].metrics[0], core::Statistic::kMedian);
  const auto cmp = compare(r, cur, {});
  const std::string text = to_prometheus(cur, &cmp);
  // Every line is a HELP, a TYPE or a sample; every family has HELP and TYPE before its samples.
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\} -?[0-9.eE+-]+$)");
  std::istringstream in(text);
  std::string line, family;
  int samples = 0;
  // The first line is headroom's header comment, by which `compare --prom` knows its own file.
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "# headroom textfile (Prometheus text format 0.0.4): replaced by every `headroom compare --prom` run");
  EXPECT_TRUE(is_headroom_textfile(text));
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line, "# TYPE " + family + " gauge");
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    EXPECT_EQ(line.rfind(family + "{", 0), 0u) << line;
    ++samples;
  }
  // 2 case_passed, 1 bytes_per_s, 1 delta, 1 significant, 1 total, and the gate: passed, tested, problems
  EXPECT_EQ(samples, 9);
  // Three samples a side cannot reach alpha 0.05 (smallest p 1/C(6,3) = 0.05): nothing tested, the gate
  // fails with no regression, and the textfile says so.
  EXPECT_NE(text.find("headroom_regressions_total{host=\"node\\\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("headroom_comparison_passed{host=\"node\\\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("headroom_comparison_tested_metrics{host=\"node\\\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("headroom_comparison_problems{host=\"node\\\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("headroom_bytes_per_s{case=\"cpu.stream.triad\",params=\"array_bytes=268435456\",device=\"host\","
                      "host=\"node\\\"1\"} 2500000000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("headroom_case_passed{case=\"storage.seq_read\",params=\"\",device=\"host\",host=\"node\\\"1\","
                      "status=\"waived\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("headroom_regression_relative_delta{case=\"cpu.stream.triad\""), std::string::npos);
}

TEST(Prometheus, RecognisesOnlyItsOwnTextfiles) {
  EXPECT_TRUE(is_headroom_textfile(std::string(kPrometheusHeader) + "\n# HELP headroom_case_passed x\n"));
  // Written before the header line existed: every family is headroom_*, sorted, so HELP comes first.
  EXPECT_TRUE(is_headroom_textfile("# HELP headroom_bytes_per_s headroom bytes_per_s\n"));
  EXPECT_FALSE(is_headroom_textfile("{\"schema\": \"headroom.results\"}\n"));
  EXPECT_FALSE(is_headroom_textfile("# HELP node_load1 1m load average.\n"));
  EXPECT_FALSE(is_headroom_textfile(""));
  EXPECT_FALSE(is_headroom_textfile(std::string(kPrometheusHeader) + " and more"));
}

TEST(Html, RegressionReportSaysWhyTheCheckFailed) {
  auto base = host_results();
  base.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", noisy(1e10, 0.01, 9, 1))}));
  auto cur = host_results();
  cur.run.incomplete = true;
  cur.run.incomplete_reason = "interrupted by SIGINT";
  const auto cmp = compare(base, cur, {});
  const auto html = render_regression(cmp, base, cur);
  EXPECT_NE(html.find("<p class=\"banner fail\">CHECK FAILED: 0 regression(s) · 0 broken · 0 improvement(s) · 0 "
                      "metric(s) tested, 1 listed</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<b>Why the check failed</b>"), std::string::npos);
  EXPECT_NE(html.find("<li>the current run is incomplete (interrupted by SIGINT)"), std::string::npos);
  EXPECT_NE(html.find("<li>nothing was compared"), std::string::npos);
}

TEST(Html, AcceptanceReportSaysWhyThereAreNoCharts) {
  const auto spec = spec_from_json(
      R"({"schema": "headroom.acceptance", "schema_version": "1.0", "name": "s", "match": {"host_only": true},
          "checks": [{"id": "triad", "case": "cpu.stream.triad", "metric": "bytes_per_s", "unit": "B/s",
                      "threshold": {"value": 5e9}, "derivation": "d", "source": "s"}]})",
      "spec.json");
  const auto empty = host_results();
  const auto html = render_acceptance(evaluate(spec, empty), empty);
  EXPECT_NE(html.find("<section id=\"charts\"><h2>Charts</h2>\n<p>Nothing to chart: no check has both a measured "
                      "value and a threshold, and the run has no GEMM or size-sweep results.</p>\n</section>"),
            std::string::npos);
  auto measured = host_results();
  measured.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {6e9, 6.1e9, 6.2e9})}));
  const auto with_chart = render_acceptance(evaluate(spec, measured), measured);
  EXPECT_EQ(with_chart.find("Nothing to chart"), std::string::npos);
  EXPECT_NE(with_chart.find("<svg"), std::string::npos);
}

namespace {
/// The entries of a gbench export whose run_name is `run_name`, in order.
std::vector<nlohmann::json> gbench_entries(const nlohmann::json& doc, const std::string& run_name) {
  std::vector<nlohmann::json> out;
  for (const auto& e : doc["benchmarks"]) {
    if (e["run_name"] == run_name) out.push_back(e);
  }
  return out;
}
}  // namespace

TEST(Gbench, DerivedCasesPerRepetitionCountersAndAggregates) {
  auto r = host_results();
  // A derived case: a value, no samples, no timed repetition (cpu.peak.*).
  core::Metric peak;
  peak.name = "flop_per_s";
  peak.unit = "FLOP/s";
  peak.value = 1.5e12;
  peak.provenance = "derived";
  r.cases.push_back(make_case("cpu.peak.fp64", {{"cores", std::int64_t{2}}}, {peak}));
  r.cases.back().wall_s = 0.002;
  // An α-β fit with an unbounded (null) β.
  core::Metric alpha = peak, beta = peak;
  alpha.name = "alpha_s";
  alpha.value = 3e-6;
  beta.name = "beta_bytes_per_s";
  beta.value.reset();
  r.cases.push_back(make_case("mpi.allreduce.alpha_beta", {}, {alpha, beta}));
  r.cases.back().wall_s = 0.0005;
  // Nine timed repetitions, a per-repetition metric and a one-pass metric (storage.small_files).
  auto files = make_case("storage.small_files", {{"files", std::int64_t{1000}}},
                         {metric("read_files_per_s", "files/s", {1000, 1100, 900, 1050, 950, 1000, 1020, 980, 1010}),
                          metric("create_files_per_s", "files/s", {12345})});
  files.samples_s = {1.0, 1 / 1.1, 1 / 0.9, 1 / 1.05, 1 / 0.95, 1.0, 1 / 1.02, 1 / 0.98, 1 / 1.01};
  r.cases.push_back(files);
  auto waived = make_case("cuda.gemm.bf16", {}, {});
  waived.status = core::Status::kWaived;
  waived.message = "no CUDA device";
  r.cases.push_back(waived);

  const auto doc = nlohmann::json::parse(to_gbench_json(r));

  // Passed derived cases: one iteration entry, not an error, the value as a counter, the wall time.
  const auto peak_entries = gbench_entries(doc, "cpu.peak.fp64/cores:2");
  ASSERT_EQ(peak_entries.size(), 1u);
  const auto& p = peak_entries[0];
  EXPECT_FALSE(p.contains("error_occurred"));
  EXPECT_EQ(p["run_type"], "iteration");
  EXPECT_EQ(p["iterations"], 1);
  EXPECT_EQ(p["repetitions"], 1);
  EXPECT_DOUBLE_EQ(p["real_time"].get<double>(), 1.0);  // a nominal 1 ns in every export: no change in compare.py
  EXPECT_DOUBLE_EQ(p["cpu_time"].get<double>(), 1.0);
  EXPECT_EQ(p["time_unit"], "ns");
  EXPECT_DOUBLE_EQ(p["flop_per_s"].get<double>(), 1.5e12);
  const auto ab = gbench_entries(doc, "mpi.allreduce.alpha_beta");
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_FALSE(ab[0].contains("error_occurred"));
  EXPECT_DOUBLE_EQ(ab[0]["real_time"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(ab[0]["alpha_s"].get<double>(), 3e-6);
  EXPECT_FALSE(ab[0].contains("beta_bytes_per_s"));  // null is no counter, never 0

  // Measured case: 9 repetitions with their own read rate; the one-pass metric is not repeated.
  const auto sf = gbench_entries(doc, "storage.small_files/files:1000");
  ASSERT_EQ(sf.size(), 12u);
  const std::vector<double> read = {1000, 1100, 900, 1050, 950, 1000, 1020, 980, 1010};
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(sf[i]["run_type"], "iteration");
    EXPECT_EQ(sf[i]["repetition_index"], i);
    EXPECT_DOUBLE_EQ(sf[i]["real_time"].get<double>(), files.samples_s[i] * 1e9);
    EXPECT_DOUBLE_EQ(sf[i]["read_files_per_s"].get<double>(), read[i]);
    EXPECT_FALSE(sf[i].contains("create_files_per_s")) << i;
  }
  // Aggregates carry the counters' aggregates: mean 1001.11, median 1000, sample stdev 56.8868.
  const auto& mean = sf[9];
  const auto& median = sf[10];
  const auto& stddev = sf[11];
  EXPECT_EQ(mean["aggregate_name"], "mean");
  EXPECT_EQ(median["aggregate_name"], "median");
  EXPECT_EQ(stddev["aggregate_name"], "stddev");
  EXPECT_NEAR(mean["read_files_per_s"].get<double>(), 9010.0 / 9, 1e-9);
  EXPECT_DOUBLE_EQ(median["read_files_per_s"].get<double>(), 1000);
  EXPECT_NEAR(stddev["read_files_per_s"].get<double>(), 56.886827, 1e-6);
  EXPECT_DOUBLE_EQ(mean["create_files_per_s"].get<double>(), 12345);
  EXPECT_DOUBLE_EQ(median["create_files_per_s"].get<double>(), 12345);
  EXPECT_FALSE(stddev.contains("create_files_per_s"));  // one sample has no spread
  EXPECT_DOUBLE_EQ(median["real_time"].get<double>(), 1e9);

  // Waived cases stay errors with their reason.
  const auto w = gbench_entries(doc, "cuda.gemm.bf16");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0]["error_occurred"], true);
  EXPECT_EQ(w[0]["error_message"], "waived: no CUDA device");
}

TEST(Html, EscapeAndHostileStringsStayText) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const std::string payload = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>";
  auto r = host_results(payload);
  r.run.notes.push_back(payload);
  r.cases.push_back(make_case("cpu.stream.triad", {{"threads", payload}}, {metric("bytes_per_s", "B/s", {1e9, 2e9})}));
  r.cases.push_back(make_case(payload, {}, {}));
  r.cases.back().status = core::Status::kError;
  r.cases.back().message = payload;
  const auto cmp = compare(r, r, {});
  for (const auto& html : {render_run_summary(r), render_regression(cmp, r, r)}) {
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;"), std::string::npos);
  }
}

TEST(Html, RegressionReportSections) {
  auto base = host_results();
  for (std::int64_t size : {1 << 20, 1 << 24, 1 << 28}) {
    base.cases.push_back(make_case("cpu.cache.sweep", {{"size_bytes", size}},
                                   {metric("bytes_per_s", "B/s", noisy(1e10, 0.01, 9, static_cast<unsigned>(size)))}));
  }
  auto cur = base;
  for (auto& s : cur.cases[2].metrics[0].samples) s *= 0.8;
  core::finalize_metric(cur.cases[2].metrics[0], core::Statistic::kMedian);
  cur.host.kernel = "6.9.0";
  const auto cmp = compare(base, cur, {});
  const auto html = render_regression(cmp, base, cur);
  for (const char* id : {"id=\"stack\"", "id=\"significant\"", "id=\"charts\"", "id=\"all\"", "id=\"inventory\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  EXPECT_NE(html.find("REGRESSION: 1 regression(s)"), std::string::npos);
  EXPECT_NE(html.find("host kernel"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no external resources
}

namespace headroom::report {
namespace {

/// The numbers of every `attr="…"` of `tag` elements in `svg`, in document order.
std::vector<double> attribute_values(const std::string& svg, const std::string& tag, const std::string& attr) {
  std::vector<double> out;
  const std::regex re("<" + tag + " [^>]*?\\b" + attr + "=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back(std::stod((*it)[1].str()));
  }
  return out;
}

TEST(LineChart, LegendSitsBelowThePlotAndWrapsToTheWidth) {
  ChartOptions o;
  o.width_px = 400;
  o.height_px = 300;
  o.log_x = false;
  // Two labels of 40 characters: 14 + 6.5·40 = 274 px each, so the second wraps onto a second row.
  const std::string long_a(40, 'a'), long_b(40, 'b');
  std::vector<Series> two{{long_a, {1, 2}, {10, 20}}, {long_b, {1, 2}, {20, 10}}};
  const std::string svg = line_chart(two, o);
  // 300 px of plot + 8 px gap + two 16 px legend rows.
  EXPECT_NE(svg.find("viewBox=\"0 0 400 340\""), std::string::npos) << svg.substr(0, 200);
  const auto swatch_y = attribute_values(svg, "rect", "y");
  const auto swatch_x = attribute_values(svg, "rect", "x");
  ASSERT_EQ(swatch_y.size(), 2u);
  EXPECT_DOUBLE_EQ(swatch_y[0], 300 + 8 + 10 - 9);       // row 0, below the plot's 300 px
  EXPECT_DOUBLE_EQ(swatch_y[1], 300 + 8 + 16 + 10 - 9);  // row 1
  EXPECT_DOUBLE_EQ(swatch_x[0], 8);
  EXPECT_DOUBLE_EQ(swatch_x[1], 8);
  // No data point lies in the legend's band, and no legend entry lies above the plot's bottom.
  for (double cy : attribute_values(svg, "circle", "cy")) EXPECT_LT(cy, 300 - 48 + 0.5);
  // Short labels share one row, left to right: 14 + 6.5·3 + 18 = 51.5 px apart.
  std::vector<Series> short_labels{{"one", {1, 2}, {1, 2}}, {"two", {1, 2}, {2, 1}}};
  const std::string svg2 = line_chart(short_labels, o);
  EXPECT_NE(svg2.find("viewBox=\"0 0 400 324\""), std::string::npos);
  const auto x2 = attribute_values(svg2, "rect", "x");
  ASSERT_EQ(x2.size(), 2u);
  EXPECT_DOUBLE_EQ(x2[1] - x2[0], 51.5);
}

}  // namespace
}  // namespace headroom::report

namespace headroom::report {
namespace {

TEST(BarChart, LongLabelsLoseTheirMiddleNotTheirEnds) {
  EXPECT_EQ(middle_ellipsis("short", 10), "short");
  EXPECT_EQ(middle_ellipsis("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(middle_ellipsis("abcdefghijk", 10), "abcde…hijk");  // 5 + … + 4 = 10 characters
  // Multi-byte characters count once and are never split: "2·M·N·K" is 7 characters.
  EXPECT_EQ(middle_ellipsis("2·M·N·K", 7), "2·M·N·K");
  EXPECT_EQ(middle_ellipsis("2·M·N·K", 5), "2·…·K");
  const std::string label =
      "storage.rand_read file_bytes=268435456,block_bytes=4096,queue_depth=1,duration_s=0.05 latency_p99_s";
  BarOptions o;
  o.width_px = 720;
  const std::string svg = bar_chart({{label, 45.3, "bad"}}, o);
  // 45 % of 720 px = 324 px of labels: (324 − 14) / 6.5 = 47 characters, its middle elided...
  const std::string shown = middle_ellipsis(label, 47);
  EXPECT_EQ(shown, "storage.rand_read file_…on_s=0.05 latency_p99_s");  // 23 + … + 23
  EXPECT_NE(svg.find(">" + shown + "<title>" + label + "</title>"), std::string::npos);
  // ...and a short label widens the column no more than it needs (min 120 px).
  const std::string small = bar_chart({{"cpu.clock", 1.0, ""}}, o);
  EXPECT_NE(small.find("<text x=\"114\""), std::string::npos);
  // A label that fits is shown whole, even when its width is not a whole number of characters:
  // 6.5 · 17 + 14 = 124.5 px for "storage.seq_write".
  const std::string fits = bar_chart({{"storage.seq_write", 1.0, ""}, {"cpu.gemm.fp64", 2.0, ""}}, o);
  EXPECT_NE(fits.find(">storage.seq_write<title>"), std::string::npos);
}

}  // namespace
}  // namespace headroom::report

// The same GEMM case on eight GPUs (as tests/cli/reports_fixtures/make_fixtures.py writes them) stays
// eight benchmarks in gbench and eight distinguishable rows in CSV; host cases keep their names.
TEST(Exports, DeviceKeepsCasesApartAndIncompleteRunsAreMarked) {
  auto r = host_results();
  for (int d = 0; d < 8; ++d) {
    auto c = make_case("cuda.gemm.bf16", {{"m", std::int64_t{8192}}},
                       {metric("flop_per_s", "FLOP/s", {7e14 + d * 1e12, 7.1e14 + d * 1e12, 6.9e14 + d * 1e12})},
                       fmt::format("cuda:{}", d));
    c.samples_s = {1.0, 1.0, 1.0};
    r.cases.push_back(c);
  }
  auto triad = make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {4e9, 5e9, 6e9})});
  triad.samples_s = {1.0, 1.0, 1.0};
  r.cases.push_back(triad);

  const auto doc = nlohmann::json::parse(to_gbench_json(r));
  EXPECT_EQ(doc["context"]["headroom_incomplete"], false);
  EXPECT_FALSE(doc["context"].contains("headroom_incomplete_reason"));
  for (int d = 0; d < 8; ++d) {
    const auto e = gbench_entries(doc, fmt::format("cuda.gemm.bf16/m:8192/device:cuda:{}", d));
    ASSERT_EQ(e.size(), 6u) << d;  // 3 repetitions + mean, median, stddev
    EXPECT_DOUBLE_EQ(e[0]["flop_per_s"].get<double>(), 7e14 + d * 1e12);
    EXPECT_EQ(e[4]["name"], fmt::format("cuda.gemm.bf16/m:8192/device:cuda:{}_median", d));
  }
  std::set<std::string> names;
  for (const auto& e : doc["benchmarks"]) names.insert(e["name"].get<std::string>());
  EXPECT_EQ(names.size(), 9u * 4);  // every case: its repetitions' name and three aggregate names
  EXPECT_EQ(gbench_entries(doc, "cpu.stream.triad").size(), 6u);  // a host case: no device in the name

  const std::string csv = to_csv(r);
  std::istringstream in(csv);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line,
            "case,params,device,status,metric,unit,better,value,n,median,min,max,p5,p95,stdev,cv,provenance,verified,"
            "message,incomplete");
  std::set<std::string> keys;  // case, params, device, metric: unique per row
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream fs(line);
    for (std::string x; std::getline(fs, x, ',');) f.push_back(x);
    if (line.back() == ',') f.push_back("");
    ASSERT_EQ(f.size(), 20u) << line;
    keys.insert(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[4]);
    EXPECT_EQ(f[19], "false") << line;
  }
  EXPECT_EQ(rows, 9);
  EXPECT_EQ(keys.size(), 9u);
  const std::string gpu7_row = "\ncuda.gemm.bf16,m=8192,cuda:7,passed,flop_per_s,FLOP/s,higher,7.07e+14,3,7.07e+14,";
  EXPECT_NE(csv.find(gpu7_row + "6.97e+14,7.17e+14,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ncpu.stream.triad,,host,passed,bytes_per_s,"), std::string::npos) << csv;

  // An interrupted run: the gbench context and every CSV row say so.
  r.run.incomplete = true;
  r.run.incomplete_reason = "interrupted by SIGINT";
  const auto inc = nlohmann::json::parse(to_gbench_json(r));
  EXPECT_EQ(inc["context"]["headroom_incomplete"], true);
  EXPECT_EQ(inc["context"]["headroom_incomplete_reason"], "interrupted by SIGINT");
  std::istringstream in2(to_csv(r));
  std::getline(in2, line);
  rows = 0;
  while (std::getline(in2, line)) {
    ++rows;
    EXPECT_EQ(line.substr(line.rfind(',') + 1), "true") << line;
  }
  EXPECT_EQ(rows, 9);
}
