#include "headroom/bench/benchmark.hpp"

#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"

namespace headroom::bench {

void Registry::add(std::unique_ptr<Benchmark> b) { benchmarks_.push_back(std::move(b)); }

std::vector<Benchmark*> Registry::matching(const std::string& glob) const {
  std::vector<Benchmark*> out;
  for (const auto& b : benchmarks_) {
    if (core::filter_matches(glob, b->info().name)) out.push_back(b.get());
  }
  return out;
}

namespace {
const core::ParamValue& require(const core::Params& p, const std::string& name) {
  const core::ParamValue* v = core::find_param(p, name);
  if (v == nullptr) throw core::InputError("", "params." + name, "a parameter named '" + name + "'");
  return *v;
}
}  // namespace

std::int64_t param_int(const core::Params& p, const std::string& name) {
  const auto& v = require(p, name);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw core::InputError("", "params." + name, "an integer");
}

double param_double(const core::Params& p, const std::string& name) {
  const auto& v = require(p, name);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  throw core::InputError("", "params." + name, "a number");
}

std::string param_string(const core::Params& p, const std::string& name) {
  const auto& v = require(p, name);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  throw core::InputError("", "params." + name, "a string");
}

bool param_bool(const core::Params& p, const std::string& name) {
  const auto& v = require(p, name);
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw core::InputError("", "params." + name, "a boolean");
}

}  // namespace headroom::bench
