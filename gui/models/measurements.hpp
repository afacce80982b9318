#pragma once
/// The Measurements page's curves, extracted from a results.json (core::Results): bandwidth vs
/// size, GEMM FLOP/s per precision and collective bus bandwidth vs message size. Plain data.
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::gui {

struct XYPoint {
  double x = 0;  ///< bytes (buffer or message size)
  double y = 0;  ///< bytes/s
};
/// One case family's curve, e.g. "cpu.cache.sweep" or "mpi.all_reduce"; points sorted by x.
struct XYSeries {
  std::string name;
  std::vector<XYPoint> points;
};
/// Best GEMM rate of one precision and the shape that reached it.
struct GemmBar {
  std::string case_name;   ///< "cpu.gemm.fp64", "cuda.gemm.bf16"
  std::string precision;   ///< last component of the case name
  double flop_per_s = 0;
  std::string shape;       ///< params of the best case, "m=1024,n=1024,k=1024"
};

struct MeasurementView {
  std::vector<XYSeries> bandwidth;  ///< bytes/s vs buffer bytes (copies, STREAM, cache sweep, storage)
  std::vector<GemmBar> gemm;
  std::vector<XYSeries> busbw;      ///< bus bytes/s vs message bytes (nccl-tests convention)
  std::size_t passed = 0;
  std::size_t not_passed = 0;       ///< waived or error (not plotted)
};

/// Groups the passed cases of `r`. A case is a bandwidth point when it has a `*bytes_per_s` metric
/// and a `*_bytes` size parameter, a collective when it has `busbw_bytes_per_s`, a GEMM when its
/// name contains ".gemm." and it has `flop_per_s`.
MeasurementView extract_measurements(const core::Results& r);

}  // namespace headroom::gui
