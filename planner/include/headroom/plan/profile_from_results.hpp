#pragma once
/// `headroom profile`: a HardwareProfile from a results.json (core::Results). Uses whatever cases
/// are present; a quantity nobody measured stays null, or keeps the datasheet value of `base`.
#include "headroom/core/results.hpp"
#include "headroom/plan/profile.hpp"

namespace headroom::plan {

/// `results_file` is recorded as the source of every measured quantity. `base` (may be null) is a
/// datasheet profile whose values fill what was not measured.
HardwareProfile profile_from_results(const core::Results& results, const std::string& results_file,
                                     const HardwareProfile* base);

}  // namespace headroom::plan
