#pragma once
/// plan.json, schema "headroom.plan" 1.x, and the human tables printed by `headroom plan`.
/// Every modelling assumption is listed in the document.
#include <cstdint>
#include <string>
#include <vector>

#include "headroom/plan/infer.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"

namespace headroom::plan {

inline constexpr const char* kPlanSchema = "headroom.plan";
inline constexpr int kPlanMajor = 1;
inline constexpr int kPlanMinor = 0;

/// What TCO and reports read from a plan, whatever its phase.
struct PlanSummary {
  double gpu_hours = 0;            ///< training run (0 for inference and for a plan that does not fit)
  double energy_kwh = 0;           ///< training run GPU energy (0 for inference)
  double tokens_per_s_per_gpu = 0; ///< training tokens or generated tokens (0: the plan does not fit)
  /// Training: the job's GPUs. Inference: the GPUs for the workload's QPS when given and servable,
  /// else the workload's fleet (`gpus`), else one replica.
  std::int64_t gpus = 0;
};
PlanSummary summarize(const TrainResult& r) noexcept;
PlanSummary summarize(const InferResult& r) noexcept;

/// The context a plan document records besides the numbers.
struct PlanContext {
  std::string command_line;
  std::string profile_id;
  std::string profile_name;
  std::string profile_source;      ///< file the profile was read from, or "catalog"
  Rates rates;
  Assumptions assumptions;
};

std::string train_plan_to_json(const Workload& w, const ParamCounts& params, const TrainResult& r,
                               const PlanContext& ctx, int indent = 2);
/// `sweep`: infer_batch_sweep of the same plan (result.batch_sweep; the caller computes it once for
/// both the JSON and the table).
std::string infer_plan_to_json(const Workload& w, const ParamCounts& params, const InferResult& r,
                               const std::vector<BatchPoint>& sweep, const PlanContext& ctx, int indent = 2);
std::string search_plan_to_json(const Workload& w, const ParamCounts& params, const SearchResult& r,
                                const PlanContext& ctx, int indent = 2);
/// The winner of search_infer as an inference plan (`r`, `sweep`: its evaluation and batch sweep),
/// with a `search` object listing every layout evaluated, ranked.
std::string infer_search_to_json(const InferSearchResult& s, const ParamCounts& params, const InferResult& r,
                                 const std::vector<BatchPoint>& sweep, const PlanContext& ctx, int indent = 2);
std::string infer_search_table(const InferSearchResult& s, const ParamCounts& params, const InferResult& r,
                               const std::vector<BatchPoint>& sweep, const PlanContext& ctx);

std::string train_plan_table(const Workload& w, const ParamCounts& params, const TrainResult& r,
                             const PlanContext& ctx);
std::string infer_plan_table(const Workload& w, const ParamCounts& params, const InferResult& r,
                             const std::vector<BatchPoint>& sweep, const PlanContext& ctx);
std::string search_plan_table(const Workload& w, const ParamCounts& params, const SearchResult& r,
                              const PlanContext& ctx);

/// The assumption lines written into plan.json and the tables (plain text, one per item).
std::vector<std::string> assumption_lines(const Workload& w, const PlanContext& ctx);

}  // namespace headroom::plan
