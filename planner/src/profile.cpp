#include "headroom/plan/profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <regex>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "json_util.hpp"

namespace headroom::plan {

using core::detail::Range;
using core::detail::Reader;
using nlohmann::json;

namespace {
// Plausibility ceilings for one GPU's figures, far above any device (B200: 192 GB, 8 TB/s, 9 PFLOP/s
// dense fp4, 1.8 TB/s NVLink): a value beyond them is a typo or a broken measurement.
constexpr double kMaxMemoryBytes = 1e14;       // 100 TB
constexpr double kMaxMemoryBytesPerS = 1e15;   // 1 PB/s
constexpr double kMaxFlopPerS = 1e18;          // 1 EFLOP/s
constexpr double kMaxLinkBytesPerS = 1e14;     // 100 TB/s
constexpr double kMaxWatts = 1e5;
constexpr double kMaxCount = 1e6;
constexpr double kMaxSeconds = 1.0;            // a collective's per-step latency
constexpr std::array<const char*, kPrecisionCount> kPrecisionNames = {
    "fp64", "fp64_tensor", "fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4", "int4"};
}

std::string to_string(Provenance p) {
  switch (p) {
    case Provenance::kDatasheet: return "datasheet";
    case Provenance::kMeasured: return "measured";
    case Provenance::kOverride: return "override";
    case Provenance::kNotMeasured: return "not_measured";
  }
  return "datasheet";
}

Provenance provenance_from_string(const std::string& s) {
  if (s == "datasheet") return Provenance::kDatasheet;
  if (s == "measured") return Provenance::kMeasured;
  if (s == "override") return Provenance::kOverride;
  if (s == "not_measured") return Provenance::kNotMeasured;
  throw core::InputError("provenance 'datasheet', 'measured', 'override' or 'not_measured', got '" + s + "'");
}

std::string to_string(Precision p) { return kPrecisionNames[static_cast<std::size_t>(p)]; }

Precision precision_from_string(const std::string& s) {
  for (int i = 0; i < kPrecisionCount; ++i) {
    if (s == kPrecisionNames[static_cast<std::size_t>(i)]) return static_cast<Precision>(i);
  }
  throw core::InputError(fmt::format("a precision ({}), got '{}'", fmt::join(kPrecisionNames, ", "), s));
}

double precision_bytes(Precision p) {
  switch (p) {
    case Precision::kFp64:
    case Precision::kFp64Tensor: return 8;
    case Precision::kFp32:
    case Precision::kTf32: return 4;
    case Precision::kFp16:
    case Precision::kBf16: return 2;
    case Precision::kFp8:
    case Precision::kInt8: return 1;
    case Precision::kFp4:
    case Precision::kInt4: return 0.5;
    case Precision::kCount: break;
  }
  return 2;
}

std::int64_t default_weight_group(Precision p) {
  switch (p) {
    case Precision::kInt4: return 128;
    case Precision::kFp4: return 16;
    default: return 0;
  }
}

double weight_bytes_per_element(Precision p, std::int64_t group) {
  const double g = static_cast<double>(group > 0 ? group : default_weight_group(p));
  switch (p) {
    case Precision::kInt4: return 0.5 + 2.5 / g;  // fp16 scale + 4-bit zero point per group
    case Precision::kFp4: return 0.5 + 1.0 / g;   // one 8-bit scale per block
    default: return precision_bytes(p);
  }
}

namespace detail {

json quantity_to_json(const Quantity& q) {
  json j;
  j["value"] = q.value ? json(*q.value) : json(nullptr);
  j["provenance"] = to_string(q.provenance);
  j["source"] = q.source;
  j["as_of"] = q.as_of;
  return j;
}

Quantity quantity_from(const Reader& parent, const std::string& key, Range range, double max) {
  Quantity q;
  if (!parent.has(key)) return q;  // absent: unknown
  const Reader r = parent.at(key);
  r.expect_object();
  // As the schema's quantity: these four keys only, value and provenance always there (an empty {}
  // would otherwise read as an unknown value, a misspelt "valeu" as a missing one).
  r.only_keys({"value", "provenance", "source", "as_of"});
  if (!r.has("value")) r.fail_at("value", "a number, or null when unknown (the key is required)");
  if (!r.has("provenance"))
    r.fail_at("provenance", "datasheet, measured, override or not_measured (the key is required)");
  q.value = r.number_or_null("value", range);
  if (q.value && *q.value > max) {
    r.fail_at("value", fmt::format("a plausible per-GPU value, at most {:g}, got {:g}", max, *q.value));
  }
  q.provenance = [&] {
    const std::string p = r.choice_or("provenance", {"datasheet", "measured", "override", "not_measured"}, "datasheet");
    return provenance_from_string(p);
  }();
  if (q.value && q.provenance == Provenance::kNotMeasured) {
    r.fail_at("value", fmt::format("null for provenance \"not_measured\", got {:g}", *q.value));
  }
  q.source = r.string_or("source", "");
  q.as_of = r.string_or("as_of", "");
  if (q.value && q.source.empty()) r.fail_at("source", "a non-empty source for a known value");
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  if (q.value && !std::regex_match(q.as_of, date)) r.fail_at("as_of", "a date YYYY-MM-DD, got '" + q.as_of + "'");
  return q;
}

}  // namespace detail

namespace {
json fit_to_json(const CollectiveFit& f) {
  return json{{"alpha_s", detail::quantity_to_json(f.alpha_s)},
              {"bus_bytes_per_s", detail::quantity_to_json(f.bus_bytes_per_s)},
              {"ranks", detail::quantity_to_json(f.ranks)}};
}
json curve_to_json(const GemmCurve& c) {
  json points = json::array();
  for (const auto& pt : c.points) points.push_back(json{{"m", pt.m}, {"n", pt.n}, {"k", pt.k}, {"flop_per_s", pt.flop_per_s}});
  return json{{"provenance", to_string(c.provenance)}, {"source", c.source}, {"as_of", c.as_of}, {"points", points}};
}
GemmCurve curve_from(const Reader& r) {
  r.expect_object();
  r.only_keys({"provenance", "source", "as_of", "points"});
  GemmCurve c;
  // A curve holds achieved rates, used as they are: measured, or entered by hand as an override.
  c.provenance = provenance_from_string(r.choice("provenance", {"measured", "override"}));
  c.source = r.string("source");
  if (c.source.empty()) r.fail_at("source", "a non-empty source for the GEMM sweep");
  c.as_of = r.string("as_of");
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  if (!std::regex_match(c.as_of, date)) r.fail_at("as_of", "a date YYYY-MM-DD, got '" + c.as_of + "'");
  const Reader points = r.at("points");
  points.expect_array();
  if (points.size() == 0) r.fail_at("points", "at least one measured GEMM {m, n, k, flop_per_s}");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Reader pt = points.index(i);
    pt.expect_object();
    pt.only_keys({"m", "n", "k", "flop_per_s"});
    GemmPoint g;
    g.m = pt.integer("m", 1);
    g.n = pt.integer("n", 1);
    g.k = pt.integer("k", 1);
    g.flop_per_s = pt.number("flop_per_s", Range::kPositive);
    if (g.flop_per_s > kMaxFlopPerS) {
      pt.fail_at("flop_per_s", fmt::format("a plausible per-GPU rate, at most {:g}, got {:g}", kMaxFlopPerS, g.flop_per_s));
    }
    c.points.push_back(g);
  }
  return c;
}
/// For each member of the optional object `key` of `r` (absent or null: none), calls
/// read(object, precision index, member name); a member that names no precision is an error.
template <class Read>
void for_each_precision(const Reader& r, const std::string& key, Read read) {
  const auto object = r.maybe(key);
  if (!object) return;
  object->expect_object();
  for (auto it = object->value().begin(); it != object->value().end(); ++it) {
    const auto* name = std::find(kPrecisionNames.begin(), kPrecisionNames.end(), it.key());
    if (name == kPrecisionNames.end()) {
      object->fail_at(it.key(), fmt::format("a precision ({})", fmt::join(kPrecisionNames, ", ")));
    }
    read(*object, static_cast<int>(name - kPrecisionNames.begin()), it.key());
  }
}

CollectiveFit fit_from(const Reader& parent, const std::string& key) {
  CollectiveFit f;
  if (parent.is_null(key)) return f;
  const Reader r = parent.at(key);
  r.expect_object();
  r.only_keys({"alpha_s", "bus_bytes_per_s", "ranks"});
  f.alpha_s = detail::quantity_from(r, "alpha_s", Range::kNonNegative, kMaxSeconds);
  f.bus_bytes_per_s = detail::quantity_from(r, "bus_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
  f.ranks = detail::quantity_from(r, "ranks", Range::kPositive, kMaxCount);
  return f;
}
}  // namespace

std::string profile_to_json(const HardwareProfile& p, int indent) {
  using detail::quantity_to_json;
  json j;
  j["schema"] = kProfileSchema;
  j["schema_version"] = fmt::format("{}.{}", kProfileMajor, kProfileMinor);
  j["id"] = p.id;
  j["name"] = p.name;
  j["vendor"] = p.vendor;
  j["aliases"] = p.aliases;
  j["notes"] = p.notes;
  j["memory_bytes"] = quantity_to_json(p.memory_bytes);
  j["memory_bandwidth_bytes_per_s"] = quantity_to_json(p.memory_bandwidth_bytes_per_s);
  json peaks = json::object();
  for (int i = 0; i < kPrecisionCount; ++i) {
    peaks[kPrecisionNames[static_cast<std::size_t>(i)]] = quantity_to_json(p.peak_flop_per_s[i]);
  }
  j["peak_flop_per_s"] = peaks;
  j["tdp_w"] = quantity_to_json(p.tdp_w);
  j["nvlink_bytes_per_s"] = quantity_to_json(p.nvlink_bytes_per_s);
  if (p.nvlink_domain_gpus.known()) j["nvlink_domain_gpus"] = quantity_to_json(p.nvlink_domain_gpus);
  j["pcie"] = json{{"gen", quantity_to_json(p.pcie_gen)},
                   {"lanes", quantity_to_json(p.pcie_lanes)},
                   {"bytes_per_s", quantity_to_json(p.pcie_bytes_per_s)},
                   {"node_h2d_bytes_per_s", quantity_to_json(p.pcie_node_h2d_bytes_per_s)},
                   {"node_d2h_bytes_per_s", quantity_to_json(p.pcie_node_d2h_bytes_per_s)}};
  j["inter_node_bytes_per_s"] = quantity_to_json(p.inter_node_bytes_per_s);
  j["gpus_per_node"] = quantity_to_json(p.gpus_per_node);
  j["host_memory_bandwidth_bytes_per_s"] = quantity_to_json(p.host_memory_bandwidth_bytes_per_s);
  if (p.host_memory_bytes.known()) j["host_memory_bytes"] = quantity_to_json(p.host_memory_bytes);
  j["collectives"] = json{{"intra_node", fit_to_json(p.intra_node)}, {"inter_node", fit_to_json(p.inter_node)}};
  j["storage"] = json{{"read_bytes_per_s", quantity_to_json(p.storage_read_bytes_per_s)},
                      {"write_bytes_per_s", quantity_to_json(p.storage_write_bytes_per_s)},
                      {"checkpoint_write_bytes_per_s", quantity_to_json(p.checkpoint_write_bytes_per_s)}};
  json curves = json::object();
  for (int i = 0; i < kPrecisionCount; ++i) {
    if (!p.gemm_curves[i].empty()) curves[kPrecisionNames[static_cast<std::size_t>(i)]] = curve_to_json(p.gemm_curves[i]);
  }
  j["gemm_curves"] = curves;
  return j.dump(indent);
}

HardwareProfile profile_from_json(const std::string& text, const std::string& file) {
  using detail::quantity_from;
  const json doc = core::detail::parse_json_text(text, file);
  const Reader r(doc, file);
  r.expect_schema(kProfileSchema, kProfileMajor);
  HardwareProfile p;
  p.id = r.string("id");
  if (p.id.empty()) r.fail_at("id", "a non-empty id");
  p.name = r.string_or("name", p.id);
  p.vendor = r.string_or("vendor", "");
  p.notes = r.string_or("notes", "");
  if (auto a = r.maybe("aliases")) {
    for (std::size_t i = 0; i < a->size(); ++i) p.aliases.push_back(a->index(i).as_string());
  }
  p.memory_bytes = quantity_from(r, "memory_bytes", Range::kPositive, kMaxMemoryBytes);
  p.memory_bandwidth_bytes_per_s = quantity_from(r, "memory_bandwidth_bytes_per_s", Range::kPositive, kMaxMemoryBytesPerS);
  for_each_precision(r, "peak_flop_per_s", [&](const Reader& peaks, int i, const std::string& key) {
    p.peak_flop_per_s[i] = quantity_from(peaks, key, Range::kPositive, kMaxFlopPerS);
  });
  p.tdp_w = quantity_from(r, "tdp_w", Range::kPositive, kMaxWatts);
  p.nvlink_bytes_per_s = quantity_from(r, "nvlink_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
  p.nvlink_domain_gpus = quantity_from(r, "nvlink_domain_gpus", Range::kPositive, kMaxCount);
  if (p.nvlink_domain_gpus.known() && (*p.nvlink_domain_gpus.value < 2 ||
                                       *p.nvlink_domain_gpus.value != std::floor(*p.nvlink_domain_gpus.value))) {
    r.at("nvlink_domain_gpus").fail_at("value", "a whole number of GPUs, at least 2 (null: the whole node)");
  }
  // The groups of quantities must be objects: "pcie": "gen5" would otherwise be skipped silently.
  for (const char* group : {"pcie", "collectives", "storage", "peak_flop_per_s", "gemm_curves"}) {
    if (auto g = r.maybe(group)) g->expect_object();
  }
  if (auto pcie = r.maybe("pcie")) {
    pcie->only_keys({"gen", "lanes", "bytes_per_s", "node_h2d_bytes_per_s", "node_d2h_bytes_per_s"});
    p.pcie_gen = quantity_from(*pcie, "gen", Range::kPositive, 100);
    p.pcie_lanes = quantity_from(*pcie, "lanes", Range::kPositive, 1024);
    p.pcie_bytes_per_s = quantity_from(*pcie, "bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
    // 1.3; absent in older files (null).
    p.pcie_node_h2d_bytes_per_s = quantity_from(*pcie, "node_h2d_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
    p.pcie_node_d2h_bytes_per_s = quantity_from(*pcie, "node_d2h_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
  }
  p.inter_node_bytes_per_s = quantity_from(r, "inter_node_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
  p.gpus_per_node = quantity_from(r, "gpus_per_node", Range::kPositive, kMaxCount);
  if (p.gpus_per_node.known() && *p.gpus_per_node.value != std::floor(*p.gpus_per_node.value)) {
    r.at("gpus_per_node").fail_at("value", fmt::format("a whole number of GPUs, got {:g}", *p.gpus_per_node.value));
  }
  p.host_memory_bandwidth_bytes_per_s =
      quantity_from(r, "host_memory_bandwidth_bytes_per_s", Range::kPositive, kMaxMemoryBytesPerS);
  p.host_memory_bytes = quantity_from(r, "host_memory_bytes", Range::kPositive, kMaxMemoryBytes);
  if (auto c = r.maybe("collectives")) {
    c->only_keys({"intra_node", "inter_node"});
    p.intra_node = fit_from(*c, "intra_node");
    p.inter_node = fit_from(*c, "inter_node");
  }
  if (auto s = r.maybe("storage")) {
    s->only_keys({"read_bytes_per_s", "write_bytes_per_s", "checkpoint_write_bytes_per_s"});
    p.storage_read_bytes_per_s = quantity_from(*s, "read_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
    p.storage_write_bytes_per_s = quantity_from(*s, "write_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
    p.checkpoint_write_bytes_per_s =
        quantity_from(*s, "checkpoint_write_bytes_per_s", Range::kPositive, kMaxLinkBytesPerS);
  }
  for_each_precision(r, "gemm_curves", [&](const Reader& curves, int i, const std::string& key) {
    p.gemm_curves[i] = curve_from(curves.at(key));
  });
  return p;
}

HardwareProfile load_profile(const std::filesystem::path& path) {
  const json doc = core::detail::read_json_file(path.string());
  return profile_from_json(doc.dump(), path.string());
}

}  // namespace headroom::plan
