#include "headroom/bench/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <optional>

#include "headroom/bench/sampling.hpp"
#include "headroom/bench/watchdog.hpp"
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

/// One call of a case's run() under `policy`; exceptions become waived / error results.
core::CaseResult run_once(const Planned& p, const core::RunPolicy& policy, const std::atomic<bool>* cancel,
                          std::vector<std::string>& notes) {
  RunContext ctx(policy, cancel);
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
  // A result that failed its own check (a wrong product, data that did not arrive as sent) is an
  // error, not a throughput, whichever backend measured it: its figures are dropped below.
  if (result.status == core::Status::kPassed && result.verified.has_value() && !*result.verified) {
    result.status = core::Status::kError;
    result.message = "verification failed" + (result.message.empty() ? std::string() : ": " + result.message);
  }
  if (result.status != core::Status::kPassed) {
    result.metrics.clear();
  } else if (result.metrics.empty()) {
    result.status = core::Status::kError;
    result.message = "benchmark returned no metrics";
  }
  for (const auto& n : ctx.notes()) {
    if (std::find(notes.begin(), notes.end(), n) == notes.end()) notes.push_back(n);
  }
  return result;
}

/// The case's message with its (deduplicated) notes appended.
void attach_notes(core::CaseResult& result, const std::vector<std::string>& notes) {
  for (const auto& n : notes) result.message += (result.message.empty() ? "" : "; ") + n;
}
}  // namespace

int round_repetitions(int repetitions, int rounds, int round) {
  rounds = std::max(1, rounds);
  return repetitions / rounds + (round < repetitions % rounds ? 1 : 0);
}

void merge_round(core::CaseResult& acc, const core::CaseResult& next, core::Statistic statistic) {
  acc.wall_s += next.wall_s;
  if (acc.status != core::Status::kPassed) return;
  if (next.status != core::Status::kPassed) {
    acc.status = next.status;
    acc.message = "in a later round: " + next.message;
    acc.metrics.clear();
    if (next.verified) acc.verified = next.verified;
    return;
  }
  acc.samples_s.insert(acc.samples_s.end(), next.samples_s.begin(), next.samples_s.end());
  for (auto& m : acc.metrics) {
    if (m.samples.empty()) continue;  // a derived value: the first round's stands
    const core::Metric* more = next.metric(m.name);
    if (more == nullptr) continue;
    m.samples.insert(m.samples.end(), more->samples.begin(), more->samples.end());
    core::finalize_metric(m, statistic);
  }
  if (next.verified) acc.verified = acc.verified.value_or(true) && *next.verified;
}

void check_filter(const Registry& registry, const std::string& filter, const std::string& suite) {
  for (const Benchmark* b : registry.matching(filter)) {
    if (!b->instances(suite).empty()) return;
  }
  throw core::InputError(
      "", "--filter",
      fmt::format("a glob matching at least one case of suite '{}' (see 'headroom list'), got '{}'", suite, filter));
}

core::Results run_benchmarks(const Registry& registry, const RunOptions& options, Sink& sink,
                             const std::atomic<bool>* cancel) {
  check_filter(registry, options.filter, options.policy.suite);
  const auto selected = registry.matching(options.filter);
  std::vector<Planned> plan;
  for (Benchmark* b : selected) {
    const BenchmarkInfo info = b->info();
    for (auto& params : b->instances(options.policy.suite)) plan.push_back({b, info, std::move(params)});
  }

  core::Results results;
  results.run.id = core::random_id();
  results.run.started_at = core::utc_now_iso8601();
  results.run.tool_version = core::headroom_version();
  results.run.command_line = options.command_line;
  results.run.policy = options.policy;
  results.run.filter = options.filter;
  results.run.world_size = options.world.size;

  // Rounds never exceed the repetitions (each round takes at least one sample).
  const int rounds = std::clamp(options.policy.rounds, 1, std::max(1, options.policy.repetitions));
  // Whether plan[i] is spread over the rounds (else it runs once, in round 1, with every repetition).
  const auto spread = [&](std::size_t i) { return rounds > 1 && plan[i].info.interleave; };
  std::vector<std::size_t> later;  // plan indices that take part in rounds 2..R
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (spread(i)) later.push_back(i);
  }
  const auto policy_of = [&](std::size_t i, int round) {
    core::RunPolicy policy = options.policy;
    if (spread(i)) policy.repetitions = round_repetitions(options.policy.repetitions, rounds, round);
    return policy;
  };

  std::vector<std::optional<core::CaseResult>> acc(plan.size());
  std::vector<std::vector<std::string>> notes(plan.size());
  std::vector<int> rounds_run(plan.size(), 0);
  const auto finish_case = [&](std::size_t i) {
    attach_notes(*acc[i], notes[i]);
    sink.on_case_done(i, plan.size(), *acc[i]);
  };

  sink.on_start(plan.size());
  const bool multi_rank = options.world.size > 1 && options.world.any;
  std::size_t steps_done = 0;
  const std::size_t steps_total = plan.size() + later.size() * static_cast<std::size_t>(rounds - 1);
  bool stopped = false;
  for (int round = 0; round < rounds && !stopped; ++round) {
    std::vector<std::size_t> order;
    if (round == 0) {
      for (std::size_t i = 0; i < plan.size(); ++i) order.push_back(i);
    } else {
      order = later;
      if (!order.empty()) sink.on_round_start(round + 1, rounds, order.size());
    }
    for (std::size_t i : order) {
      if (options.watchdog != nullptr) {
        options.watchdog->arm(fmt::format("round {} of {}, case {} of {} ({} {})", round + 1, rounds, i + 1,
                                          plan.size(), plan[i].info.name, core::params_key(plan[i].params)));
      }
      bool stop = cancel != nullptr && cancel->load();
      if (multi_rank) stop = options.world.any(stop);  // every rank, every step: one decision for all
      if (stop) {
        stopped = true;
        break;
      }
      ++steps_done;
      const Planned& p = plan[i];
      const bool participate = p.info.all_ranks || options.world.rank == 0;
      if (!participate) continue;
      if (round > 0 && (!acc[i] || acc[i]->status != core::Status::kPassed)) continue;
      sink.on_case_start(i, plan.size(), p.info.name, p.params);
      core::CaseResult result = run_once(p, policy_of(i, round), cancel, notes[i]);
      if (round == 0) {
        acc[i] = std::move(result);
      } else {
        merge_round(*acc[i], result, options.policy.statistic);
      }
      ++rounds_run[i];
      const bool last = !spread(i) || round == rounds - 1 || acc[i]->status != core::Status::kPassed;
      if (last) finish_case(i);
    }
  }
  if (stopped) {
    results.run.incomplete = true;
    results.run.incomplete_reason = steps_total == plan.size()
                                        ? fmt::format("interrupted: {} of {} cases ran", steps_done, plan.size())
                                        : fmt::format("interrupted: {} of {} steps ran ({} cases over {} rounds)",
                                                      steps_done, steps_total, plan.size(), rounds);
    // Interleaved cases cut short keep the samples they have, and say so.
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (!acc[i] || !spread(i) || rounds_run[i] == rounds || acc[i]->status != core::Status::kPassed) {
        continue;
      }
      notes[i].push_back(fmt::format("interrupted after {} of {} rounds", rounds_run[i], rounds));
      finish_case(i);
    }
  }
  for (auto& r : acc) {
    if (r) results.cases.push_back(std::move(*r));
  }
  if (cancel != nullptr && cancel->load() && !results.run.incomplete) {
    results.run.incomplete = true;
    results.run.incomplete_reason = "interrupted during the last case";
  }
  results.run.finished_at = core::utc_now_iso8601();
  return results;
}

// ---------------------------------------------------------------------------------------------

ProgressSink::ProgressSink(std::FILE* stream, bool quiet, double heartbeat_s)
    : stream_(stream), quiet_(quiet), tty_(::isatty(::fileno(stream)) != 0), heartbeat_s_(heartbeat_s) {}

void ProgressSink::on_start(std::size_t total_cases) {
  start_s_ = now_s();
  last_line_s_ = start_s_;
  if (!quiet_) fmt::print(stream_, "headroom: {} cases to run\n", total_cases);
}

void ProgressSink::on_round_start(int round, int rounds, std::size_t cases_in_round) {
  if (quiet_) return;
  if (tty_) fmt::print(stream_, "\r\033[K");
  fmt::print(stream_, "headroom: round {} of {}: {} interleaved case(s) again for more samples\n", round, rounds,
             cases_in_round);
  std::fflush(stream_);
  last_line_s_ = now_s();
}

void ProgressSink::on_case_start(std::size_t index, std::size_t total, const std::string& name,
                                 const core::Params& params) {
  if (quiet_) return;
  const double now = now_s();
  if (tty_) {
    fmt::print(stream_, "\r\033[K[{}/{} {:.0f}s] {} {}", index + 1, total, now - start_s_, name,
               core::params_key(params));
  } else if (now - last_line_s_ >= heartbeat_s_) {
    fmt::print(stream_, "[{}/{} {:.0f}s] {} {}  running\n", index + 1, total, now - start_s_, name,
               core::params_key(params));
    last_line_s_ = now;
  } else {
    return;
  }
  std::fflush(stream_);
}

void ProgressSink::on_case_done(std::size_t index, std::size_t total, const core::CaseResult& result) {
  if (quiet_) return;
  if (tty_) fmt::print(stream_, "\r\033[K");
  last_line_s_ = now_s();
  fmt::print(stream_, "[{}/{} {:.0f}s] {}\n", index + 1, total, last_line_s_ - start_s_, headline(result));
  std::fflush(stream_);
}

std::string headline(const core::CaseResult& r) {
  std::string text = r.name;
  const std::string key = core::params_key(r.params);
  if (!key.empty()) text += " " + key;
  if (r.status != core::Status::kPassed) return text + "  " + core::to_string(r.status) + ": " + r.message;
  if (!r.metrics.empty() && r.metrics.front().value) {
    const auto& m = r.metrics.front();
    const std::string value = m.unit == "s" ? core::format_seconds(*m.value) : core::format_rate(*m.value, m.unit);
    text += "  " + value;
    if (m.summary && m.summary->n > 1) text += fmt::format(" (cv {:.1f}%)", 100.0 * m.summary->cv);
  }
  if (r.verified && !*r.verified) text += "  NOT VERIFIED";
  // A passed case whose figure should not be taken at face value says so on its progress line too.
  if (const auto w = r.message.find("WARNING: "); w != std::string::npos) {
    text += "  " + r.message.substr(w, r.message.find("; ", w) - w);
  }
  return text;
}

}  // namespace headroom::bench
