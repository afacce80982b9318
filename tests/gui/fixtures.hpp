#pragma once
// Workload settings shared by the GUI tests.
#include "models/workspace.hpp"

namespace headroom::gui::test {

/// The layout of docs/planner.md's CLI example, `headroom plan train --model llama-2-70b --gpu H100
/// --gpus 64 --tp 8 --pp 2 --zero 1 --global-batch 1024 --seq-len 4096 --tokens 1e12` (recompute
/// none, bf16), set on a form; its other fields stay as they were.
inline void set_llama2_70b_layout(WorkloadForm& f) {
  f.model_id = "llama-2-70b";
  f.gpus = 64;
  f.search = false;
  f.tp = 8;
  f.pp = 2;
  f.micro_batch = 1;
  f.zero_stage = 1;
  f.recompute = plan::Recompute::kNone;
  f.global_batch = 1024;
  f.seq_len = 4096;
  f.tokens = 1e12;
}

}  // namespace headroom::gui::test
