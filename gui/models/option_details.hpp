#pragma once
/// What the Time page's details view and the table's "Checkpoints" column say about one option:
/// the planner's checkpoint and failure figures (training) or the cold start (serving), worded and
/// rounded as `headroom plan` prints them, so that the GUI and the CLI can be read side by side.
#include <QString>
#include <QStringList>

#include "compute.hpp"

namespace headroom::gui {

/// A checkpoint-scale duration as the CLI writes it: seconds below 2 min, minutes below 2 h, hours
/// above, 3 significant digits ("60.4 s", "30 min", "2.43 min", "34.7 h").
QString checkpoint_duration(double seconds);

/// One line per figure, "name: value (how)", in the CLI's order: size, write, stall, interval, Young's
/// interval, any async-overrun warning, checkpoints, overhead, failures. Empty when the option's
/// checkpoint figures are off (or it has an error).
QStringList checkpoint_lines(const OptionResult& o);

/// The table cell: "3.24 % ckpt" plus " + 1.95 % failures", "⚠" on an overrun; "off" when off.
QString checkpoint_summary(const OptionResult& o);

/// Serving: "30.2 s (… GB of one replica's weights per node at … GB/s; engine start-up not counted)", or
/// "unknown: no storage read figure in this GPU's profile (… GB of one replica's weights per node)".
QString cold_start_text(const OptionResult& o);

/// The details view of the whole comparison (rich text): per option its error, its checkpoint and
/// failure figures with the time-to-train they make up, or its cold start.
QString option_details_html(const Comparison& c);

}  // namespace headroom::gui
