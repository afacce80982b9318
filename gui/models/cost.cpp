// CostEngine: the Cost page's numbers from headroom::tco. The planner's GPU-hours (or served
// tokens/s per GPU) of one option replace the scenario's workload figures; everything else (prices,
// power, utilisation) comes from the scenario and its dated, sourced price catalog.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "compute.hpp"
#include "headroom/core/errors.hpp"

#if HEADROOM_GUI_HAVE_TCO
#include "headroom/tco/render.hpp"
#include "headroom/tco/scenario.hpp"
#endif

namespace headroom::gui {

struct CostEngine::Impl {
  std::filesystem::path data_dir;
#if HEADROOM_GUI_HAVE_TCO
  mutable std::mutex mutex;
  mutable std::map<std::string, plan::tco::Scenario> scenarios;    // by resolved path
  mutable std::map<std::string, plan::tco::PriceCatalog> catalogs;  // by path

  std::string scenario_path(const std::string& name) const {
    const std::filesystem::path direct(name);
    if (direct.has_extension() || direct.has_parent_path()) return direct.string();
    return (data_dir / "scenarios" / (name + ".json")).string();
  }
  // Loading is cached: a scenario or catalog file is parsed once per session, not per keystroke.
  std::pair<plan::tco::Scenario, plan::tco::PriceCatalog> load(const std::string& name) const {
    const std::string path = scenario_path(name);
    std::lock_guard lock(mutex);
    auto s = scenarios.find(path);
    if (s == scenarios.end()) s = scenarios.emplace(path, plan::tco::load_scenario(path)).first;
    const std::string cat_path = plan::tco::scenario_catalog_path(s->second, data_dir);
    auto c = catalogs.find(cat_path);
    if (c == catalogs.end()) c = catalogs.emplace(cat_path, plan::tco::load_price_catalog(cat_path)).first;
    return {s->second, c->second};
  }
#endif
};

CostEngine::CostEngine(std::filesystem::path data_dir) : impl_(std::make_unique<Impl>()) {
  impl_->data_dir = std::move(data_dir);
}
CostEngine::~CostEngine() = default;

bool CostEngine::available() { return HEADROOM_GUI_HAVE_TCO != 0; }

std::vector<std::string> CostEngine::scenario_names() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(impl_->data_dir / "scenarios", ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

CostView CostEngine::evaluate(const CostForm& form, const std::vector<OptionResult>& options) const {
#if HEADROOM_GUI_HAVE_TCO
  using plan::tco::NumberInput;
#endif
  CostView view;
  view.scenario = form.scenario;
#if HEADROOM_GUI_HAVE_TCO
  const OptionResult* chosen = nullptr;
  for (const OptionResult& o : options) {
    if (o.label == form.option_label) chosen = &o;
  }
  if (chosen == nullptr && !options.empty()) chosen = &options.front();
  try {
    auto [scenario, catalog] = impl_->load(form.scenario);
    if (chosen != nullptr && chosen->error.empty()) {
      view.option_label = chosen->label;
      const std::string source = fmt::format("headroom-gui: planner figure for {}", chosen->label);
      if (chosen->gpu_hours > 0) {
        view.train_gpu_hours = chosen->gpu_hours;
        scenario.workload["train_gpu_hours"] = NumberInput::sourced(chosen->gpu_hours, source);
      }
      if (chosen->tokens_per_s_per_gpu > 0) {
        scenario.workload["tokens_per_s_per_gpu"] = NumberInput::sourced(chosen->tokens_per_s_per_gpu, source);
      }
    }
    if (form.utilisation > 0) scenario.fleet["utilisation"] = NumberInput::sourced(form.utilisation, "headroom-gui cost form");
    if (form.years > 0) scenario.fleet["years"] = NumberInput::sourced(form.years, "headroom-gui cost form");
    const plan::tco::TcoReport report = plan::tco::run_tco(scenario, catalog, plan::tco::today_utc());
    const plan::tco::TcoResult& r = report.result;
    view.scenario = report.scenario_name;
    view.months = r.months;
    if (r.onprem) {
      view.curves.push_back({"on-prem", r.onprem->cumulative_usd, std::nullopt, r.onprem->total_usd, r.onprem->usd_per_gpu_hour});
    }
    for (const plan::tco::CloudResult& c : r.cloud) {
      view.curves.push_back({c.label, c.cumulative_usd, c.break_even_month, c.total_usd, c.usd_per_gpu_hour});
    }
    // The tornado against the first cloud option that has one (on-prem must be present).
    for (const plan::tco::CloudResult& c : r.cloud) {
      if (c.tornado.empty() || !c.ratio_onprem_to_cloud) continue;
      view.tornado_option = c.label;
      view.base_ratio = *c.ratio_onprem_to_cloud;
      for (const plan::tco::TornadoBar& b : c.tornado) view.tornado.push_back({b.input, b.ratio_at_low, b.ratio_at_high});
      break;
    }
    view.notes = r.notes;
    view.notes.insert(view.notes.end(), report.resolved.notes.begin(), report.resolved.notes.end());
    view.notes.insert(view.notes.end(), report.warnings.begin(), report.warnings.end());
  } catch (const std::exception& e) {
    view.error = e.what();
    view.curves.clear();
    view.tornado.clear();
  }
#else
  (void)options;
  view.error = "this build has no TCO library (planner/tco): no cost figures are shown";
#endif
  return view;
}

}  // namespace headroom::gui
