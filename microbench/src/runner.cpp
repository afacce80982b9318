#include "headroom/bench/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <exception>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/core/units.hpp"

namespace headroom::bench {

namespace {
struct Planned {
  Benchmark* benchmark;
  BenchmarkInfo info;
  core::Params params;
};
}  // namespace

core::Results run_benchmarks(const Registry& registry, const RunOptions& options, Sink& sink,
                             const std::atomic<bool>* cancel) {
  const auto selected = registry.matching(options.filter);
  std::vector<Planned> plan;
  for (Benchmark* b : selected) {
    const BenchmarkInfo info = b->info();
    for (auto& params : b->instances(options.policy.suite)) plan.push_back({b, info, std::move(params)});
  }
  if (plan.empty()) {
    throw core::InputError("", "--filter",
                           fmt::format("a glob matching at least one case of suite '{}' (see 'headroom list'), "
                                       "got '{}'",
                                       options.policy.suite, options.filter));
  }

  core::Results results;
  results.run.id = core::random_id();
  results.run.started_at = core::utc_now_iso8601();
  results.run.tool_version = core::headroom_version();
  results.run.command_line = options.command_line;
  results.run.policy = options.policy;
  results.run.filter = options.filter;
  results.run.world_size = options.world.size;

  sink.on_start(plan.size());
  const bool multi_rank = options.world.size > 1 && options.world.any;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    bool stop = cancel != nullptr && cancel->load();
    if (multi_rank) stop = options.world.any(stop);  // every rank, every case: one decision for all
    if (stop) {
      results.run.incomplete = true;
      results.run.incomplete_reason =
          fmt::format("interrupted: {} of {} cases ran", i, plan.size());
      break;
    }
    const Planned& p = plan[i];
    const bool participate = p.info.all_ranks || options.world.rank == 0;
    if (!participate) continue;
    sink.on_case_start(i, plan.size(), p.info.name, p.params);
    RunContext ctx(options.policy, cancel);
    core::CaseResult result;
    const double t0 = now_s();
    try {
      result = p.benchmark->run(p.params, ctx);
    } catch (const core::Waived& w) {
      result = core::CaseResult{};
      result.status = core::Status::kWaived;
      result.message = w.what();
    } catch (const std::exception& e) {
      result = core::CaseResult{};
      result.status = core::Status::kError;
      result.message = e.what();
    }
    result.wall_s = now_s() - t0;
    result.name = p.info.name;
    result.params = p.params;
    if (result.status != core::Status::kPassed) result.metrics.clear();
    else if (result.metrics.empty()) {
      result.status = core::Status::kError;
      result.message = "benchmark returned no metrics";
    }
    for (const auto& n : ctx.notes()) {
      result.message += (result.message.empty() ? "" : "; ") + n;
    }
    sink.on_case_done(i, plan.size(), result);
    results.cases.push_back(std::move(result));
  }
  if (cancel != nullptr && cancel->load() && !results.run.incomplete) {
    results.run.incomplete = true;
    results.run.incomplete_reason = "interrupted during the last case";
  }
  results.run.finished_at = core::utc_now_iso8601();
  return results;
}

// ---------------------------------------------------------------------------------------------

ProgressSink::ProgressSink(std::FILE* stream, bool quiet)
    : stream_(stream), quiet_(quiet), tty_(::isatty(::fileno(stream)) != 0) {}

void ProgressSink::on_start(std::size_t total_cases) {
  start_s_ = now_s();
  if (!quiet_) fmt::print(stream_, "headroom: {} cases to run\n", total_cases);
}

void ProgressSink::on_case_start(std::size_t index, std::size_t total, const std::string& name,
                                 const core::Params& params) {
  if (quiet_ || !tty_) return;
  fmt::print(stream_, "\r\033[K[{}/{} {:.0f}s] {} {}", index + 1, total, now_s() - start_s_, name,
             core::params_key(params));
  std::fflush(stream_);
}

void ProgressSink::on_case_done(std::size_t index, std::size_t total, const core::CaseResult& result) {
  if (quiet_) return;
  if (tty_) fmt::print(stream_, "\r\033[K");
  fmt::print(stream_, "[{}/{} {:.0f}s] {}\n", index + 1, total, now_s() - start_s_, headline(result));
  std::fflush(stream_);
}

std::string headline(const core::CaseResult& r) {
  std::string text = r.name;
  const std::string key = core::params_key(r.params);
  if (!key.empty()) text += " " + key;
  if (r.status != core::Status::kPassed) return text + "  " + core::to_string(r.status) + ": " + r.message;
  if (!r.metrics.empty() && r.metrics.front().value) {
    const auto& m = r.metrics.front();
    const std::string value = m.unit == "s" ? core::format_seconds(*m.value)
                                            : core::format_rate(*m.value, m.unit);
    text += "  " + value;
    if (m.summary && m.summary->n > 1) text += fmt::format(" (cv {:.1f}%)", 100.0 * m.summary->cv);
  }
  if (r.verified && !*r.verified) text += "  NOT VERIFIED";
  return text;
}

}  // namespace headroom::bench
