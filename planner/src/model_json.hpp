#pragma once
// Private: reading a model object that may be embedded in another document (workload.json).
#include "headroom/core/detail/strict_json.hpp"
#include "headroom/plan/model.hpp"

namespace headroom::plan::detail {
ModelConfig model_from_reader(const core::detail::Reader& r);
}
