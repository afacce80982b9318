#!/usr/bin/env bash
# End-to-end runs of the real `headroom tco`: shipped scenarios (table and --json), flags only,
# --out/--force, stale-price warnings, bad input (exit 2, message naming the field or flag), and the
# default catalog taken from the data directory (--data-dir, $HEADROOM_DATA_DIR).
# Usage: tco_cli_e2e.sh HEADROOM_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run NAME EXPECTED_RC ARGS...: stdout -> $work/NAME.out, stderr -> $work/NAME.err
run() {
  local name=$1 want=$2
  shift 2
  "$bin" tco "$@" >"$work/$name.out" 2>"$work/$name.err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want ($(head -c 400 "$work/$name.err"))"
}
has() { grep -qF -- "$3" "$work/$1.$2" || fail "$1: $2 lacks '$3'"; }

h100=$src/data/scenarios/h100x64-onprem-vs-aws-p5.json

# Table output of the H100 scenario; warnings about the 2023 reservation prices on stderr.
run table 0 --scenario "$h100" --today 2026-11-22
has table out "aws-p5.48xlarge-precut reserved_3yr"
has table out "sensitivity of on-prem/cloud"
has table out "cumulative USD at month"
has table err "price older than one year: cloud[2] aws-p5.48xlarge-precut reserved_3yr (as of 2023-07-27"

# --json: stdout is one JSON document and nothing else; warnings are inside it too.
run json 0 --scenario "$h100" --today 2026-11-22 --json
if command -v python3 >/dev/null; then
  python3 - "$work/json.out" <<'PY' || fail "json: content check"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "headroom.tco", d["schema"]
op = d["onprem"]
# 8 nodes · 317000 + one 50000 switch
assert op["capex_usd"] == 8 * 317000 + 50000, op["capex_usd"]
assert len(op["cumulative_usd"]) == 37
c = d["cloud"][0]
assert abs(c["total_usd_per_month"] - 64 * 730 * 0.8 * 6.88) < 1e-6, c["total_usd_per_month"]
swings = [b["swing"] for b in c["tornado"]]
assert swings == sorted(swings, reverse=True) and len(swings) > 5
assert any("2023-07-27" in w for w in d["warnings"])
assert d["today"] == "2026-11-22"
PY
fi

# Flags only (no scenario file): the hand-worked example of docs/methodology.md.
run flags 0 --gpus 16 --gpus-per-node 8 --utilisation 0.5 --years 2 --node-power-kw 5 \
  --provisioned-kw-per-node 8 --node-usd 200000 --switches 1 --switch-usd 20000 --installation-usd 10000 \
  --pue 1.25 --tariff-usd-per-kwh 0.10 --colocation-usd-per-kw-month 100 --staff-usd-per-year 12000 \
  --maintenance-fraction-per-year 0.06 --residual-fraction 0.10 --cost-of-capital-per-year 0.10 \
  --offer aws-p5.48xlarge --cloud-usd-per-gpu-hour 2.50 --cloud-storage-tb 10 --cloud-storage-usd-per-tb-month 20 \
  --cloud-egress-tb-per-month 1 --cloud-egress-usd-per-gb 0.05 --train-gpu-hours 10000 --tokens-per-s-per-gpu 1000 \
  --grid-kg-co2e-per-kwh 0.4 --json
has flags out '"total_usd": 579521.428571'
has flags out '"total_usd": 356400.0'
has flags out '"break_even_utilisation": 0.82865138'

# --out writes the document atomically and refuses to overwrite without --force.
run out1 0 --scenario "$h100" --out "$work/tco.json"
[ -s "$work/tco.json" ] || fail "out1: no file"
run out2 2 --scenario "$h100" --out "$work/tco.json"
has out2 err "force"
run out3 0 --scenario "$h100" --out "$work/tco.json" --force

# Every shipped scenario runs.
for s in "$src"/data/scenarios/*.json; do
  run "scn_$(basename "$s" .json)" 0 --scenario "$s"
done

# Bad input: exit 2 with the field or flag named.
run neg_price 2 --scenario "$h100" --node-usd -5
has neg_price err "--node-usd"
has neg_price err "a number in [0, 1e+09], got -5"
run util 2 --scenario "$h100" --utilisation 1.2
has util err "--utilisation: expected a busy fraction in [0.001, 1]"
run years 2 --scenario "$h100" --years 0
has years err "--years: expected a number in (0, 50]"
# Non-finite flags are refused by name (JSON would carry them as null: "not given"), and the sanity
# ceilings of the input table keep totals finite.
run nan_years 2 --scenario "$h100" --years nan
has nan_years err "--years: expected a number in (0, 50], got nan"
run inf_staff 2 --scenario "$h100" --staff-usd-per-year inf
has inf_staff err "--staff-usd-per-year: expected a number in [0, 1e+12], got inf"
run huge_gpus 2 --scenario "$h100" --gpus 1e30
has huge_gpus err "--gpus: expected an integer in [1, 1e+06], got 1e+30"
run huge_years 2 --scenario "$h100" --years 1e308
has huge_years err "--years: expected a number in (0, 50]"
run inf_out 2 --scenario "$h100" --node-usd inf --out "$work/never.json"
[ -e "$work/never.json" ] && fail "inf_out: --out written on bad input"
run offer 2 --scenario "$h100" --offer aws-p9.large
has offer err "--offer: expected an offer id of the catalog"
has offer err "aws-p9.large"
run pricing 2 --scenario "$h100" --offer aws-p5.48xlarge --pricing reserved_1yr
has pricing err "--pricing: expected a pricing model the catalog gives for offer 'aws-p5.48xlarge'"
cat >"$work/bad.json" <<'JSON'
{"schema": "headroom.scenario", "schema_version": "1.0", "name": "bad",
 "fleet": {"gpus": 8, "utilisation": 0.5, "years": 1, "node_power_kw": 6},
 "cloud": [{"offer": "nope", "pricing": "on_demand"}]}
JSON
run file_offer 2 --scenario "$work/bad.json"
has file_offer err "bad.json: \$.cloud[0].offer: expected an offer id"
run missing 2 --scenario "$work/does-not-exist.json"
run nothing 2
# --out over the price catalog the scenario names (an input too): refused, --force or not, catalog kept.
mkdir -p "$work/scen" && cp "$(dirname "$h100")/../prices/catalog.json" "$work/scen/catalog.json"
sed 's|"../prices/catalog.json"|"catalog.json"|' "$h100" >"$work/scen/s.json"
cp "$work/scen/catalog.json" "$work/catalog.bak"
run out_over_catalog 2 --scenario "$work/scen/s.json" --out "$work/scen/catalog.json" --force
has out_over_catalog err "the scenario's price catalog"
cmp -s "$work/catalog.bak" "$work/scen/catalog.json" || fail "out_over_catalog: the catalog was replaced"

# Without a scenario (or one that names no catalog) the catalog is prices/catalog.json of the data
# directory, found as `headroom plan` finds its catalogs: --data-dir, else $HEADROOM_DATA_DIR. A copy
# whose aws-p5.48xlarge on-demand price is changed shows the copy is the one read, not the source tree.
mkdir -p "$work/data_a" "$work/data_b"
cp -r "$src/data/." "$work/data_a/" && cp -r "$src/data/." "$work/data_b/"
sed -i 's/"usd_per_instance_hour": 55.04, "usd_per_gpu_hour": 6.88,/"usd_per_instance_hour": 9.84, "usd_per_gpu_hour": 1.23,/' \
  "$work/data_b/prices/catalog.json"
grep -qF '"usd_per_gpu_hour": 1.23' "$work/data_b/prices/catalog.json" || fail "data_dir: the copied catalog was not edited"
fleet=(--gpus 16 --utilisation 0.5 --years 1 --node-power-kw 5 --node-usd 200000 --pue 1.25 --offer aws-p5.48xlarge)
HEADROOM_DATA_DIR="$work/data_a" run env_dir 0 "${fleet[@]}"
has env_dir out "prices: $work/data_a/prices/catalog.json;"
HEADROOM_DATA_DIR="$work/data_a" run flag_dir 0 "${fleet[@]}" --data-dir "$work/data_b" --json
has flag_dir out "\"catalog\": \"$work/data_b/prices/catalog.json\""
has flag_dir out '"usd_per_gpu_hour": 1.23'
# --prices still wins over both.
HEADROOM_DATA_DIR="$work/data_a" run prices_flag 0 "${fleet[@]}" --data-dir "$work/data_b" --prices "$src/data/prices/catalog.json"
has prices_flag out "prices: $src/data/prices/catalog.json;"
# A data directory without prices/catalog.json: exit 2 naming the file.
mkdir -p "$work/empty_data"
HEADROOM_DATA_DIR="$work/empty_data" run no_catalog 2 "${fleet[@]}"
has no_catalog err "$work/empty_data/prices/catalog.json"

# 3 GPUs per node at a 0 % cost of capital: no financing, and no money field prints "-0" (the
# charge × years once came back 9.3e-10 USD short of the capex).
run three_per_node 0 --scenario "$h100" --gpus-per-node 3 --today 2026-11-22
has three_per_node out "(financing 0 USD)"
if grep -qE -- '(^|[^0-9.,])-0([^0-9.,]|$)' "$work/three_per_node.out"; then fail "three_per_node: a -0 in the table"; fi
run three_per_node_json 0 --scenario "$h100" --gpus-per-node 3 --today 2026-11-22 --json
has three_per_node_json out '"financing_usd": 0.0'

# A reservation is paid for whole terms: a 1-year horizon still pays 36 months of reserved_3yr
# (12 of reserved_1yr), said in the notes; --years 0.01 likewise, the horizon printed with decimals.
run term_1y 0 --scenario "$h100" --years 1 --today 2026-11-22 --json
python3 - "$work/term_1y.out" <<'PY' || fail "term_1y: reservations not charged whole terms"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["label"]: x for x in d["cloud"]}
r3, r1 = c["aws-p5.48xlarge-precut reserved_3yr"], c["aws-p5.48xlarge-precut reserved_1yr"]
assert r3["billed_months"] == 36 and r1["billed_months"] == 12, (r3["billed_months"], r1["billed_months"])
assert abs(r3["total_usd"] - (r3["gpu_usd_per_month"] * 36 + (r3["storage_usd_per_month"] + r3["egress_usd_per_month"]) * 12)) < 1e-6 * r3["total_usd"]
assert r3["total_usd"] > 3 * 3027456 - 1, r3["total_usd"]  # the QA pass saw 12 months: 3,027,456 USD
assert any("reserved_3yr: a 36-month commitment is paid for whole terms: 36 months of GPU-hours billed for a 12-month horizon" in n for n in d["notes"]), d["notes"]
assert not any("reserved_1yr: a 12-month commitment" in n for n in d["notes"])
PY
run term_tiny 0 --scenario "$h100" --years 0.01 --today 2026-11-22
has term_tiny out "36 months of GPU-hours billed for a 0.12-month horizon"
if grep -q "beyond the 0-month horizon" "$work/term_tiny.out"; then fail "term_tiny: a 0-month horizon"; fi

# -0 is 0 (no "-0.0" in the document); a utilisation below 0.001 is refused naming the flag.
run minus_zero 0 --scenario "$h100" --node-usd -0 --colocation-usd-per-kw-month -0 --today 2026-11-22 --json
if grep -q -- '-0\.0\b' "$work/minus_zero.out"; then fail "minus_zero: -0.0 in the JSON"; fi
for u in 1e-300 5e-324 0.0009; do
  run "util_$u" 2 --scenario "$h100" --utilisation "$u" --today 2026-11-22
  has "util_$u" err "--utilisation: expected a busy fraction in [0.001, 1]"
done

[ "$fails" -eq 0 ] && echo "tco e2e: all checks passed"
exit $((fails > 0))
