// Parallelism search: only fitting, valid configurations; fastest first; deterministic.
#include <gtest/gtest.h>

#include "headroom/plan/search.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

TEST(Search, FindsFittingConfigurationsFastestFirst) {
  const Assumptions a;
  Workload w = test::train_workload("llama-2-70b", 1, 1, 64, 512, 4096);
  SearchOptions o;
  o.gpus = 64;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_FALSE(r.best.empty());
  EXPECT_GT(r.evaluated, r.fitting);
  for (std::size_t i = 0; i < r.best.size(); ++i) {
    const auto& c = r.best[i];
    EXPECT_TRUE(c.result.memory.fits);
    EXPECT_EQ(c.workload.par.world(), 64);
    EXPECT_NO_THROW(validate(c.workload));
    if (i > 0) EXPECT_LE(r.best[i - 1].result.time.step_s, c.result.time.step_s);
  }
  // 70B does not fit without model parallelism on 80 GB.
  EXPECT_GT(r.best.front().workload.par.tp * r.best.front().workload.par.pp, 1);
}

TEST(Search, NothingFitsIsAnEmptyAnswer) {
  const Assumptions a;
  Workload w = test::train_workload("llama-3.1-405b", 1, 1, 1, 1, 4096);
  SearchOptions o;
  o.gpus = 1;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("l4"), a, o);
  EXPECT_TRUE(r.best.empty());
  EXPECT_GT(r.evaluated, 0u);
}

}  // namespace
}  // namespace headroom::plan
