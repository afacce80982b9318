#pragma once
/// Fill ChartPanels from plain data. Each builder clears the chart and rebuilds it; hovering a bar
/// or a point shows its value with the unit in a tooltip.
#include "../models/compute.hpp"
#include "../models/measurements.hpp"

namespace headroom::gui {

class ChartPanel;

/// Stacked memory per GPU (GiB) per option against each option's capacity.
void showFit(ChartPanel& panel, const Comparison& c);
/// Training: tokens/s per GPU, time to train (days), GPU-hours. Inference: tokens/s per GPU,
/// TTFT and TPOT (ms).
void showTime(ChartPanel& throughput, ChartPanel& time, ChartPanel& hours, const Comparison& c);
/// Cumulative cost (USD M) per month, on-prem vs each cloud option, break-even points marked.
void showCostCurves(ChartPanel& panel, const CostView& cost);
/// Tornado: change of the on-prem / cloud ratio at −20 % and +20 % of each input.
void showTornado(ChartPanel& panel, const CostView& cost);
/// Log-log roofline of one option: compute ceilings per precision, memory levels, the workload's ops.
void showRoofline(ChartPanel& panel, const OptionResult& option);
/// Measurements; `b` may be null (no overlay). Names are the two files' labels.
void showBandwidth(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b);
void showGemm(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b);
void showBusbw(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b);
/// Clears a chart and shows `why` under it.
void showEmpty(ChartPanel& panel, const QString& title, const QString& why);

}  // namespace headroom::gui
