#include "option_details.hpp"

#include <fmt/format.h>

#include <cmath>

#include "headroom/core/units.hpp"

namespace headroom::gui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The share of the wall time (run.time_s) that `part_s` takes, in percent.
double percent_of_wall(const plan::RunTime& run, double part_s) {
  return run.time_s > 0 && std::isfinite(run.time_s) ? 100.0 * part_s / run.time_s : 0.0;
}

std::string dur(double s) { return checkpoint_duration(s).toStdString(); }

}  // namespace

QString checkpoint_duration(double s) {
  if (!std::isfinite(s)) return QStringLiteral("never");
  if (s < 120.0) return qs(fmt::format("{:.3g} s", s));
  if (s < 7200.0) return qs(fmt::format("{:.3g} min", s / 60.0));
  return qs(fmt::format("{:.3g} h", s / 3600.0));
}

QStringList checkpoint_lines(const OptionResult& o) {
  const plan::CheckpointCost& c = o.checkpoint;
  QStringList lines;
  if (!o.error.empty() || !c.enabled) return lines;
  const plan::RunTime& run = o.run;
  const bool async = c.mode == plan::CheckpointMode::kAsync;
  lines << qs(fmt::format("checkpoint size: {:.1f} GB ({:g} B × {:.4g} B trained elements)", c.bytes / 1e9,
                          c.bytes_per_element, c.trained_elements / 1e9));
  lines << qs(fmt::format("write: {} ({:g} node{} × {:.3g} GB/s in parallel)", dur(c.write_s), c.nodes,
                          c.nodes == 1 ? "" : "s", c.write_bytes_per_s / 1e9));
  lines << qs(async ? fmt::format("stall per checkpoint: {} (async: copy of {:.3g} GB per GPU to host memory{})",
                                  dur(c.stall_s), c.shard_bytes_per_gpu / 1e9,
                                  c.write_within_interval ? "" : " + the write's overrun")
                    : fmt::format("stall per checkpoint: {} (sync: the write)", dur(c.stall_s)));
  if (c.interval_s > 0) {
    lines << qs(fmt::format("interval: {} ({})", dur(c.interval_s),
                            c.interval_raised_to_write
                                ? fmt::format("Young's {} raised to the write time", dur(c.young_interval_s))
                            : c.interval_from_young ? std::string("Young's optimum: not given, chosen")
                                                    : std::string("given")));
  }
  lines << (c.young_interval_s > 0
                ? qs(fmt::format("Young's interval: {} (√(2 × {} stall × MTBF {:.3g} h))", dur(c.young_interval_s),
                                 dur(c.stall_base_s), c.mtbf_s / 3600.0))
                : QStringLiteral("Young's interval: – (needs an MTBF)"));
  if (!c.write_within_interval) {
    lines << qs(fmt::format("⚠ WARNING: the background write ({}) does not finish within the interval ({}): training "
                            "waits {} more at each checkpoint",
                            dur(c.write_s), dur(c.interval_s), dur(c.write_s - c.interval_s)));
  }
  if (run.productive_s > 0) {
    lines << qs(fmt::format("checkpoints: {:.0f}", run.checkpoints));
    lines << qs(fmt::format("checkpoint overhead: {:.2f} h, {:.2f} % of wall time", run.checkpoint_s / 3600.0,
                            percent_of_wall(run, run.checkpoint_s)));
  }
  if (c.mtbf_s > 0) {
    lines << qs(fmt::format("cost per failure: {} (lost work {} + restart {} + load {})", dur(c.cost_per_failure_s),
                            dur(c.lost_work_s), dur(c.restart_s), dur(c.load_s)));
    if (run.productive_s > 0) {
      lines << qs(fmt::format("expected failures: {:.1f} (MTBF {:.3g} h)", run.expected_failures, c.mtbf_s / 3600.0));
      lines << qs(fmt::format("failure overhead: {:.2f} h, {:.2f} % of wall time", run.failure_s / 3600.0,
                              percent_of_wall(run, run.failure_s)));
    }
  }
  return lines;
}

QString checkpoint_summary(const OptionResult& o) {
  if (!o.error.empty()) return {};
  const plan::CheckpointCost& c = o.checkpoint;
  if (!c.enabled) return QStringLiteral("off");
  std::string s = fmt::format("{:.2f} % ckpt", percent_of_wall(o.run, o.run.checkpoint_s));
  if (c.mtbf_s > 0) s += fmt::format(" + {:.2f} % failures", percent_of_wall(o.run, o.run.failure_s));
  if (!c.write_within_interval) s += " ⚠";
  return qs(s);
}

QString cold_start_text(const OptionResult& o) {
  if (!o.error.empty()) return {};
  if (o.cold_start_s > 0) {
    return qs(fmt::format(
        "{} ({:.3g} GB of one replica's weights per node at {:.3g} GB/s; engine start-up not counted)",
        core::format_seconds(o.cold_start_s), o.cold_start_bytes_per_node / 1e9, o.cold_start_read_bytes_per_s / 1e9));
  }
  return qs(
      fmt::format("unknown: no storage read figure in this GPU's profile ({:.3g} GB of one replica's weights per node)",
                  o.cold_start_bytes_per_node / 1e9));
}

QString option_details_html(const Comparison& c) {
  const bool infer = c.phase == plan::Phase::kInfer;
  QString h = infer ? QStringLiteral("<b>Cold start</b> (one replica's weights read from storage, all its nodes at once)")
                    : QStringLiteral("<b>Checkpoints and failures</b>");
  for (const OptionResult& o : c.options) {
    h += QStringLiteral("<p style='margin-top:6px'><b>%1</b><br>").arg(qs(o.label).toHtmlEscaped());
    if (!o.error.empty()) {
      h += QStringLiteral("<span style='color:#b01c1c'>⚠ %1</span></p>").arg(qs(o.error).toHtmlEscaped());
      continue;
    }
    if (infer) {
      h += QStringLiteral("cold start: %1</p>").arg(cold_start_text(o).toHtmlEscaped());
      continue;
    }
    const QStringList lines = checkpoint_lines(o);
    if (lines.isEmpty()) {
      h += QStringLiteral("off (turn on “Checkpoints &amp; failures” in the workload form)</p>");
      continue;
    }
    for (const QString& l : lines) {
      const bool warn = l.startsWith(QStringLiteral("⚠"));
      h += warn ? QStringLiteral("<span style='color:#b01c1c'>%1</span><br>").arg(l.toHtmlEscaped())
                : l.toHtmlEscaped() + QStringLiteral("<br>");
    }
    h += qs(fmt::format("time to train: {:.1f} days (productive {:.1f} days)", o.time_to_train_s / 86400.0,
                        o.run.productive_s / 86400.0))
             .toHtmlEscaped() +
         QStringLiteral("</p>");
  }
  return h;
}

}  // namespace headroom::gui
