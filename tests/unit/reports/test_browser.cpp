// Renders the HTML reports in headless Chromium: the DOM must hold the expected sections, the
// screenshot must not be blank, and a hostile results file must not run any script.
#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fixtures.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/html.hpp"
#if HEADROOM_HAVE_PROCUREMENT
#include "headroom/plan/catalog.hpp"
#include "headroom/report/procurement.hpp"
#endif

using namespace headroom;
using namespace headroom::report;
using namespace headroom::report::testing;
namespace fs = std::filesystem;

namespace {
std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    exe_ = chromium();
    if (exe_.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh installs it)";
    dir_ = fs::temp_directory_path() / ("headroom-browser-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  std::string run(const std::string& args) {
    const std::string cmd = "timeout 90 " + exe_ +
                            " --headless --no-sandbox --disable-gpu --disable-background-networking "
                            "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
                            (dir_ / "profile").string() + " " + args + " 2>/dev/null";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
  }

  std::string write(const std::string& name, const std::string& html) {
    const fs::path f = dir_ / name;
    core::write_file_atomic(f, html, core::Overwrite::kAllow);
    return "file://" + f.string();
  }

  std::string dump_dom(const std::string& url) { return run("--dump-dom " + url); }

  /// Fraction of pixels that are not near-white, and the luminance variance, of a screenshot.
  struct Pixels {
    double ink_fraction = 0;
    double luminance_variance = 0;
    int width = 0, height = 0;
  };
  Pixels screenshot(const std::string& url) {
    const fs::path png_path = dir_ / "shot.png";
    run("--screenshot=" + png_path.string() + " --window-size=1200,900 --hide-scrollbars " + url);
    Pixels px;
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, png_path.c_str())) return px;
    img.format = PNG_FORMAT_GRAY;
    std::vector<unsigned char> buf(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, buf.data(), 0, nullptr)) return px;
    px.width = static_cast<int>(img.width);
    px.height = static_cast<int>(img.height);
    double sum = 0, sum2 = 0;
    std::size_t ink = 0;
    for (unsigned char v : buf) {
      sum += v;
      sum2 += static_cast<double>(v) * v;
      ink += v < 200;
    }
    const double n = static_cast<double>(buf.size());
    px.ink_fraction = static_cast<double>(ink) / n;
    px.luminance_variance = sum2 / n - (sum / n) * (sum / n);
    return px;
  }

  std::string exe_;
  fs::path dir_;
};

core::Results sweep_results(double scale) {
  auto r = host_results("render-host");
  for (std::int64_t size : {1 << 15, 1 << 20, 1 << 24, 1 << 28}) {
    r.cases.push_back(make_case("cpu.cache.sweep", {{"size_bytes", size}},
                                {metric("bytes_per_s", "B/s", noisy(4e12 / std::sqrt(static_cast<double>(size) / 32768.0) *
                                                                        (size == 1 << 28 ? scale : 1.0),
                                                                    0.01, 9, static_cast<unsigned>(size)))}));
  }
  for (const char* p : {"fp64", "fp32"}) {
    r.cases.push_back(make_case(std::string("cpu.gemm.") + p, {{"m", std::int64_t{512}}, {"n", std::int64_t{512}}, {"k", std::int64_t{512}}},
                                {metric("flop_per_s", "FLOP/s", noisy(p[2] == '6' ? 1e12 : 2e12, 0.01, 9, 7))}));
  }
  r.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", noisy(5e9, 0.01, 9, 8))}));
  return r;
}
}  // namespace

TEST_F(Browser, AcceptanceReportRendersWithSections) {
  const auto r = sweep_results(1.0);
  const auto spec = spec_from_json(R"({"schema": "headroom.acceptance", "schema_version": "1.0", "name": "browser spec",
    "match": {"host_only": true}, "checks": [
    {"id": "triad", "case": "cpu.stream.triad", "metric": "bytes_per_s", "unit": "B/s", "threshold": {"value": 4e9},
     "derivation": "test floor", "source": "test"},
    {"id": "gemm", "case": "cpu.gemm.fp64", "metric": "flop_per_s", "unit": "FLOP/s", "threshold": {"value": 2e12},
     "derivation": "test floor", "source": "test"}]})",
                                   "browser.json");
  const auto url = write("acceptance.html", render_acceptance(evaluate(spec, r), r));
  const auto dom = dump_dom(url);
  ASSERT_FALSE(dom.empty()) << "chromium produced no DOM";
  for (const char* id : {"id=\"verdicts\"", "id=\"charts\"", "id=\"derivations\"", "id=\"inventory\""}) {
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  }
  EXPECT_NE(dom.find("REJECTED: 1 passed · 1 failed"), std::string::npos);
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  const auto px = screenshot(url);
  EXPECT_EQ(px.width, 1200);
  EXPECT_GT(px.ink_fraction, 0.02) << "screenshot looks blank";
  EXPECT_GT(px.luminance_variance, 100.0);
}

TEST_F(Browser, RegressionReportRendersWithSections) {
  const auto base = sweep_results(1.0), cur = sweep_results(0.8);
  const auto url = write("regression.html", render_regression(compare(base, cur, {}), base, cur));
  const auto dom = dump_dom(url);
  ASSERT_FALSE(dom.empty());
  for (const char* id : {"id=\"stack\"", "id=\"significant\"", "id=\"charts\"", "id=\"all\""}) {
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  }
  EXPECT_NE(dom.find("REGRESSION: 1 regression(s)"), std::string::npos);
  const auto px = screenshot(url);
  EXPECT_GT(px.ink_fraction, 0.02);
  EXPECT_GT(px.luminance_variance, 100.0);
}

TEST_F(Browser, BlankPageIsRecognisedAsBlank) {
  // The screenshot measure itself must be able to fail.
  const auto px = screenshot(write("blank.html", "<!DOCTYPE html><html><body></body></html>"));
  EXPECT_EQ(px.width, 1200);
  EXPECT_LT(px.ink_fraction, 0.001);
}

TEST_F(Browser, UnescapedPayloadWouldBeDetected) {
  // The detector itself must be able to fail: the same payload, not escaped, does set the title.
  const auto dom = dump_dom(write("raw.html", "<!DOCTYPE html><html><head><title>t</title></head><body>"
                                              "<script>document.title='PWNED'</script></body></html>"));
  EXPECT_NE(dom.find("PWNED</title>"), std::string::npos) << dom;
}

TEST_F(Browser, HostileResultsRunNoScript) {
  const std::string title_payload = "<script>document.title='PWNED'</script>";
  const std::string img_payload = "\"><img src=x onerror=\"document.title='PWNED2'\">";
  auto r = sweep_results(1.0);
  r.host.hostname = "evil" + title_payload + img_payload;
  r.run.notes.push_back(title_payload);
  r.cases.push_back(make_case("cpu.stream.triad" + img_payload, {{"threads", title_payload}}, {}));
  r.cases.back().status = core::Status::kError;
  r.cases.back().message = title_payload + img_payload;
  const auto spec = spec_from_json(R"({"schema": "headroom.acceptance", "schema_version": "1.0", "name": "x",
    "match": {"host_only": true}, "checks": [{"id": "t", "case": "cpu.stream.triad", "metric": "bytes_per_s",
    "unit": "B/s", "threshold": {"value": 1}, "derivation": "d", "source": "s"}]})",
                                   "x.json");
  const auto cmp = compare(r, r, {});
  for (const auto& [name, html] : {std::pair<std::string, std::string>{"run.html", render_run_summary(r)},
                                   {"acc.html", render_acceptance(evaluate(spec, r), r)},
                                   {"reg.html", render_regression(cmp, r, r)}}) {
    const auto dom = dump_dom(write(name, html));
    ASSERT_FALSE(dom.empty()) << name;
    EXPECT_EQ(dom.find("PWNED</title>"), std::string::npos) << name << ": a payload set document.title";
    EXPECT_EQ(dom.find("PWNED2</title>"), std::string::npos) << name;
    EXPECT_EQ(dom.find("<img"), std::string::npos) << name << ": a payload became an element";
    EXPECT_EQ(dom.find("<script"), std::string::npos) << name;
    EXPECT_NE(dom.find("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), std::string::npos) << name;
  }
}

#if HEADROOM_HAVE_PROCUREMENT
TEST_F(Browser, ProcurementReportRendersWithSectionsAndRunsNoScript) {
  const auto cat = plan::Catalog::load_default();
  ProcurementInput in;
  in.workload.model = cat.model("llama-3-8b");
  in.workload.name = "llama-3-8b";
  in.workload.gpus = 16;
  in.workload.par.dp = 16;
  in.workload.train.seq_len = 4096;
  in.workload.train.global_batch = 1024;
  in.workload.train.tokens = 1e11;
  const std::string payload = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED2'\">";
  in.options.push_back({"H100" + payload, cat.gpu("H100"), "catalog"});
  in.options.push_back({"H200", cat.gpu("H200"), "catalog"});
  in.scenario_files = {std::string(HEADROOM_SOURCE_DIR) + "/data/scenarios/h100x64-onprem-vs-aws-p5.json"};
  in.today = *plan::tco::parse_date("2026-11-22");
  in.command_line = "headroom report procurement" + payload;
  const auto url = write("procurement.html", render_procurement(build_procurement(in)));
  const auto dom = dump_dom(url);
  ASSERT_FALSE(dom.empty());
  for (const char* id : {"id=\"recommendation\"", "id=\"fit\"", "id=\"time\"", "id=\"cost\"",
                         "id=\"roofline\"", "id=\"assumptions\""}) {
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  }
  EXPECT_NE(dom.find("Recommended: "), std::string::npos);
  EXPECT_EQ(dom.find("PWNED</title>"), std::string::npos);
  EXPECT_EQ(dom.find("PWNED2</title>"), std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_EQ(dom.find("<script"), std::string::npos);
  const auto px = screenshot(url);
  EXPECT_GT(px.ink_fraction, 0.02);
  EXPECT_GT(px.luminance_variance, 100.0);
}
#endif
