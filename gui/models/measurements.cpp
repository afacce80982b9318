#include "measurements.hpp"

#include <algorithm>
#include <map>

namespace headroom::gui {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The size a bandwidth point is plotted at: the first integer parameter named *_bytes.
const core::Param* size_param(const core::CaseResult& c) {
  for (const core::Param& p : c.params) {
    if (ends_with(p.name, "_bytes") && std::holds_alternative<std::int64_t>(p.value)) return &p;
  }
  return nullptr;
}

// Throughput metric of a bandwidth case: the first *bytes_per_s metric with a value.
const core::Metric* bandwidth_metric(const core::CaseResult& c) {
  for (const core::Metric& m : c.metrics) {
    if (ends_with(m.name, "bytes_per_s") && m.value) return &m;
  }
  return nullptr;
}

void add_point(std::map<std::string, XYSeries>& into, const std::string& name, double x, double y) {
  XYSeries& s = into[name];
  s.name = name;
  s.points.push_back({x, y});
}

std::vector<XYSeries> sorted(std::map<std::string, XYSeries>& m) {
  std::vector<XYSeries> out;
  for (auto& [name, s] : m) {
    std::sort(s.points.begin(), s.points.end(), [](const XYPoint& a, const XYPoint& b) { return a.x < b.x; });
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

MeasurementView extract_measurements(const core::Results& r) {
  MeasurementView v;
  std::map<std::string, XYSeries> bandwidth;
  std::map<std::string, XYSeries> busbw;
  std::map<std::string, GemmBar> gemm;
  for (const core::CaseResult& c : r.cases) {
    if (c.status != core::Status::kPassed) {
      ++v.not_passed;
      continue;
    }
    ++v.passed;
    const core::Param* size = size_param(c);
    if (const core::Metric* bus = c.metric("busbw_bytes_per_s"); bus && bus->value && size) {
      add_point(busbw, c.name, static_cast<double>(std::get<std::int64_t>(size->value)), *bus->value);
      continue;
    }
    if (c.name.find(".gemm.") != std::string::npos) {
      const core::Metric* f = c.metric("flop_per_s");
      if (f && f->value) {
        GemmBar& bar = gemm[c.name];
        if (*f->value > bar.flop_per_s) {
          bar.case_name = c.name;
          bar.precision = c.name.substr(c.name.rfind('.') + 1);
          bar.flop_per_s = *f->value;
          bar.shape = core::params_key(c.params);
        }
      }
      continue;
    }
    if (const core::Metric* bw = bandwidth_metric(c); bw && size) {
      add_point(bandwidth, c.name, static_cast<double>(std::get<std::int64_t>(size->value)), *bw->value);
    }
  }
  v.bandwidth = sorted(bandwidth);
  v.busbw = sorted(busbw);
  for (auto& [name, bar] : gemm) v.gemm.push_back(std::move(bar));
  return v;
}

}  // namespace headroom::gui
