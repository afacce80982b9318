#pragma once
// The hand-worked example of docs/methodology.md (section "TCO"), as model inputs.
#include "headroom/tco/model.hpp"

inline headroom::plan::tco::ModelInputs hand_example() {
  headroom::plan::tco::ModelInputs in;
  in.fleet = {16, 8, 0.5, 2, 5.0, 8.0};
  headroom::plan::tco::OnPremInputs op;
  op.node_usd = 200000;
  op.switches = 1;
  op.switch_usd = 20000;
  op.installation_usd = 10000;
  op.pue = 1.25;
  op.tariff_usd_per_kwh = 0.10;
  op.colocation_usd_per_kw_month = 100;
  op.staff_usd_per_year = 12000;
  op.maintenance_fraction_per_year = 0.06;
  op.residual_fraction = 0.10;
  op.cost_of_capital_per_year = 0.10;
  in.onprem = op;
  headroom::plan::tco::CloudInputs c;
  c.label = "cloud";
  c.usd_per_gpu_hour = 2.50;
  c.storage_tb = 10;
  c.storage_usd_per_tb_month = 20;
  c.egress_tb_per_month = 1;
  c.egress_usd_per_gb = 0.05;
  in.cloud.push_back(c);
  in.workload.train_gpu_hours = 10000;
  in.workload.tokens_per_s_per_gpu = 1000;
  in.grid_kg_co2e_per_kwh = 0.4;
  return in;
}
