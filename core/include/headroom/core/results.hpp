#pragma once
/// results.json, schema "headroom.results" version 1.x: what `headroom bench` measured, with the
/// policy, the inventory and every raw sample. Strictly loaded (see results_from_json) and written
/// atomically. A value that was not measured is std::nullopt / JSON null, never 0.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "headroom/core/activity.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/stats.hpp"

namespace headroom::core {

inline constexpr const char* kResultsSchema = "headroom.results";
inline constexpr int kResultsMajor = 1;
inline constexpr int kResultsMinor = 2;  // 1.1: policy.rounds; devices[].pci_vendor_id / pci_device_id
                                         // 1.2: run.activity (other processes' CPU use during the run)

/// A benchmark parameter value: integers (sizes, counts), reals, strings (precision names), flags.
using ParamValue = std::variant<std::int64_t, double, std::string, bool>;
struct Param {
  std::string name;
  ParamValue value;
  bool operator==(const Param&) const = default;
};
using Params = std::vector<Param>;  ///< in the benchmark's declared order
std::string to_string(const ParamValue& v);
/// "m=1024,n=1024,k=1024", in the given (declared) order: for display. Match cases with
/// case_identity, which does not depend on the order.
std::string params_key(const Params& p);
const ParamValue* find_param(const Params& p, const std::string& name);

enum class Status { kPassed, kWaived, kError };
std::string to_string(Status s);
Status status_from_string(const std::string& s);  ///< throws InputError

enum class Better { kHigher, kLower };
std::string to_string(Better b);

/// How repetitions are taken; written into every results file.
struct RunPolicy {
  std::string suite = "quick";      ///< quick | standard | full
  int warmup = 1;                   ///< untimed repetitions before sampling
  int repetitions = 9;              ///< timed samples per case (>= 1)
  double min_time_s = 0.0;          ///< each sample repeats the kernel until it lasts at least this
  double max_case_s = 30.0;         ///< a case stops sampling (keeping what it has) after this long
  Statistic statistic = Statistic::kMedian;  ///< headline value of each metric
  bool rotate_buffers = true;       ///< rotate operand buffers so caches cannot serve repeats
  /// Cases that allow it (BenchmarkInfo::interleave) take their repetitions in this many rounds
  /// over the whole suite instead of back to back, so a drift of the machine that lasts seconds
  /// (turbo, a noisy neighbour) is spread over every case rather than landing on one. Absent in
  /// files written before 1.1: read as 1.
  int rounds = 1;
  bool operator==(const RunPolicy&) const = default;
};
/// The unit a metric name's suffix implies ("flop_per_s" → "FLOP/s", "_bytes_per_s" → "B/s", "iops"
/// → "IO/s", "files_per_s" → "files/s", "_hz" → "Hz", "_s" → "s", "_bytes" → "B"); "" for a name
/// without one (r2). An integer GEMM's flop_per_s may also be in "OP/s".
std::string unit_for_metric_name(std::string_view metric);
/// True for a case name as results.schema.json allows it: dotted lower-case words, ^[a-z0-9_]+(\.[a-z0-9_]+)+$.
bool is_case_name(std::string_view s);
/// True for a PCI id in sysfs form: "0x" and 4 lower-case hex digits ("0x10de", "0x2330").
bool is_pci_id(const std::string& s);
/// The default policy of a named suite; throws InputError for an unknown name.
RunPolicy policy_for_suite(const std::string& suite);

/// One derived quantity of a case, e.g. flop_per_s of a GEMM.
struct Metric {
  std::string name;                 ///< snake_case with unit suffix: flop_per_s, bytes_per_s, iops, latency_s
  std::string unit;                 ///< printed unit: "FLOP/s", "B/s", "IO/s", "s", "files/s"
  Better better = Better::kHigher;
  std::optional<double> value;      ///< the policy statistic over samples (or a single derived value)
  std::vector<double> samples;      ///< one per repetition (empty for derived values)
  std::optional<Summary> summary;   ///< of samples; absent when there are none
  std::string provenance = "measured";  ///< measured | derived | datasheet
  std::string note;                 ///< counting convention ("bytes read + written", "2·M·N·K")
};

/// One parameter instance of one benchmark.
struct CaseResult {
  std::string name;                 ///< stable dotted name: cpu.gemm.fp64, storage.seq_read, cuda.gemm.bf16
  Status status = Status::kPassed;
  std::string message;              ///< why waived / the error; notes for passed cases
  Params params;
  std::optional<bool> verified;     ///< result checked against a reference; null where not applicable
  std::vector<double> samples_s;    ///< raw wall time of each timed repetition, seconds
  std::vector<Metric> metrics;
  std::string device = "host";      ///< host | cuda:N | rank:N ...
  double wall_s = 0;                ///< time the case took, warm-up included
  const Metric* metric(const std::string& metric_name) const;
};

/// What identifies a case within a file and across files (name, parameters, device), the key
/// that the loader refuses duplicates on and that compare, compare --fleet and accept match cases
/// on. Parameters are taken in name order: the same set written in another order (or without
/// param_order, which reads back alphabetically) is the same case.
std::string case_identity(const CaseResult& c);

struct HostInventory {
  std::string hostname;
  std::string cpu_model;
  std::string cpu_vendor;
  std::optional<int> sockets;
  std::optional<int> cores;          ///< physical cores in total
  std::optional<int> threads;        ///< logical CPUs online
  std::optional<double> cpu_max_mhz;
  std::optional<std::int64_t> l1d_bytes;  ///< per core
  std::optional<std::int64_t> l2_bytes;   ///< per core (or per cluster, as sysfs reports)
  std::optional<std::int64_t> l3_bytes;   ///< per instance
  std::optional<int> numa_nodes;
  std::optional<std::int64_t> memory_bytes;
  std::vector<std::string> cpu_flags;     ///< SIMD-relevant flags only (avx2, avx512f, avx512_bf16, amx...)
  std::string os;
  std::string kernel;
  std::string compiler;
  std::string headroom_version;
  bool virtualized = false;
  std::vector<int> ranks;                 ///< MPI ranks on this host (empty when not under MPI)
};

/// One accelerator; every field that was not read is null.
struct DeviceInfo {
  int index = 0;
  std::string name;
  std::optional<std::string> uuid;
  std::optional<std::string> pci_bus_id;
  /// PCI vendor and device id in sysfs form, "0x10de" / "0x2330" (lower-case hex, 4 digits); what
  /// acceptance specs match on before the name. Null when not readable or in older files.
  std::optional<std::string> pci_vendor_id;
  std::optional<std::string> pci_device_id;
  std::optional<std::string> compute_capability;
  std::optional<int> sm_count;
  std::optional<std::int64_t> memory_bytes;
  std::optional<std::int64_t> l2_bytes;
  std::optional<double> clock_sm_mhz;
  std::optional<double> clock_mem_mhz;
  std::optional<int> memory_bus_width_bits;
  std::optional<bool> ecc_enabled;
  std::optional<int> numa_node;
  std::optional<int> pcie_gen;
  std::optional<int> pcie_width;
  std::optional<double> power_limit_w;
  std::optional<std::string> driver_version;
  std::optional<std::string> cuda_runtime_version;
  std::optional<std::string> cublas_version;
  std::optional<std::string> nccl_version;
  std::optional<int> host_rank;          ///< MPI rank that owns it
};

/// Whether benchmark `name` is selected by a --filter glob (fnmatch syntax, "*" matches dots too):
/// the rule `headroom bench` selects cases by, and that `compare` reads a run's RunInfo::filter with.
bool filter_matches(const std::string& glob, const std::string& name);

struct RunInfo {
  std::string id;                        ///< random hex id
  std::string started_at;                ///< ISO-8601 UTC
  std::string finished_at;
  std::string tool_version;
  std::string command_line;
  RunPolicy policy;
  std::string filter;                    ///< glob given with --filter ("*" when none)
  int world_size = 1;                    ///< MPI ranks
  bool incomplete = false;               ///< interrupted (Ctrl-C) or stopped early
  std::string incomplete_reason;
  std::vector<std::string> notes;        ///< e.g. "built without CUDA"
  /// What other processes did meanwhile (1.2; nullopt in older files and where /proc/stat is missing).
  std::optional<Activity> activity;
};

/// The run's activity when it says the machine was busy (core::is_busy), else nullptr. Only a
/// single-rank run can tell: under mpirun the job's other ranks on a node count as other processes.
const Activity* busy_activity(const RunInfo& run);

struct Results {
  RunInfo run;
  HostInventory host;
  std::vector<HostInventory> hosts;      ///< every host of a multi-rank run (empty otherwise)
  std::vector<DeviceInfo> devices;
  std::vector<CaseResult> cases;
};

std::string results_to_json(const Results& r, int indent = 2);
/// Strict parse; `file` names the source in errors. Unknown major version, wrong types, missing
/// required fields, non-finite or negative samples/metrics, names that break the schema's patterns,
/// a case repeated (same name, params and device), a sampled metric without a summary or whose
/// summary or value is not that of its samples (value = run.policy.statistic, 1e-9 relative)
/// -> InputError with the JSON path.
Results results_from_json(const std::string& text, const std::string& file);
Results load_results(const std::filesystem::path& path);
void save_results(const std::filesystem::path& path, const Results& r, Overwrite overwrite);

/// Fills metric.summary and metric.value from metric.samples with `statistic` (no-op when empty).
void finalize_metric(Metric& m, Statistic statistic);

/// ISO-8601 UTC timestamp of now, e.g. 2026-11-22T10:15:30Z.
std::string utc_now_iso8601();
/// 16 random hex digits.
std::string random_id();

}  // namespace headroom::core
