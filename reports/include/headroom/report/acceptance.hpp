#pragma once
/// Acceptance of new hardware (`headroom accept`): a spec of thresholds (data/acceptance/*.json,
/// schema "headroom.acceptance" 1.x) evaluated against a results file.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::report {

inline constexpr const char* kAcceptanceSchema = "headroom.acceptance";
inline constexpr int kAcceptanceMajor = 1;

/// Which value of a sweep a check gates on: never an average over the sweep.
enum class Pick {
  kPeak,     ///< the best value over all matching instances (best by the metric's direction)
  kLargest,  ///< the value at the largest value of `param` (large-message / large-transfer regime)
};

/// The threshold in the check's unit: `value`, or `fraction` × a reference.
struct Threshold {
  std::optional<double> value;        ///< absolute threshold
  double fraction = 1.0;              ///< applied to the reference below
  std::optional<double> of_value;     ///< datasheet reference value, in the check's unit
  std::string of_case;                ///< or: the picked value of another case of the same results file
  std::string of_metric;              ///< metric of `of_case` (defaults to the check's metric)
  bool from_reference = false;        ///< `of_case` is looked up in the reference results file
  std::string reference;              ///< what the reference is ("dense BF16 peak, datasheet")
};

struct Check {
  std::string id;                     ///< stable id, used in JUnit and reports
  std::string title;
  std::string case_name;              ///< exact case name, e.g. "cuda.gemm.bf16"
  std::string metric;                 ///< e.g. "flop_per_s"
  std::string unit;                   ///< must agree with the metric name's suffix and the results
  core::Params where;                 ///< only instances whose params equal these
  Pick pick = Pick::kPeak;
  /// For Pick::kLargest; default: the benchmark's size parameter (array_bytes for cpu.stream.*,
  /// block_bytes for storage.seq_* / rand_read, else size_bytes).
  std::string pick_param = "size_bytes";
  bool at_most = false;               ///< true: measured must be <= threshold (latency); else >=
  Threshold threshold;
  bool per_device = false;            ///< evaluate each device (cuda:N) on its own
  std::optional<double> uniformity_tolerance;  ///< a device below (1 − tol) × node median fails
  bool required = true;               ///< a required check that was not measured fails
  std::string derivation;             ///< how the threshold was derived
  std::string source;                 ///< where the reference number comes from, with its date
};

struct Spec {
  std::string file;                   ///< where it was loaded from
  std::string name;
  std::string description;
  std::vector<std::string> gpu_names; ///< case-insensitive substrings of DeviceInfo::name
  /// PCI "vendor:device" ids of the SKU in lspci -nn form ("10de:2330"); matched before the name.
  /// May be empty (ids not verified): then only the name matches.
  std::vector<std::string> pci_device_ids;
  std::string pci_ids_source;         ///< where the ids come from (pci.ids version, date); required with ids
  bool host_only = false;             ///< the spec for machines without GPUs
  std::vector<Check> checks;
};

/// Strict load; every failure is an InputError naming the file and JSON path. Units are checked
/// against the metric name suffix (_flop_per_s FLOP/s, _bytes_per_s B/s, iops IO/s, _s s).
Spec spec_from_json(const std::string& text, const std::string& file);
Spec load_spec(const std::filesystem::path& path);
/// Every *.json spec in `dir`, sorted by file name. Two specs listing the same PCI id are an
/// InputError (the match would be ambiguous).
std::vector<Spec> load_specs(const std::filesystem::path& dir);

/// The spec chosen for a results file and why ("PCI id 10de:2330 of GPU 0", ...).
struct SpecChoice {
  const Spec* spec = nullptr;
  std::string reason;
};

/// The spec for `results`, from device 0. With a PCI vendor and device id: the spec listing that id.
/// When no spec lists it, a spec whose gpu_names match the name is used only if that spec lists no
/// PCI ids at all; a spec that lists ids, none of them this one, is contradicted by the hardware and
/// is not used (InputError asking for --spec). Without a PCI id in the results: by name. With no
/// devices: the host-only spec. Throws InputError (naming `dir`) when nothing matches.
SpecChoice choose_spec(const std::vector<Spec>& specs, const core::Results& results, const std::string& dir);
/// choose_spec(...).spec.
const Spec& select_spec(const std::vector<Spec>& specs, const core::Results& results, const std::string& dir);

/// "10de:2330" from a device's sysfs-form ids ("0x10de", "0x2330"); nullopt unless both are known.
std::optional<std::string> pci_vendor_device(const core::DeviceInfo& device);

/// The unit a metric name implies, or "" when the name has no known unit suffix.
std::string unit_for_metric(const std::string& metric);

enum class Verdict { kPass, kFail, kSkipped };
std::string to_string(Verdict v);

/// One evaluated row: a check on the host, on one device, or the uniformity of a check.
struct CheckResult {
  const Check* check = nullptr;
  std::string id;                     ///< check id, "<id>[cuda:1]" per device, "<id>.uniformity"
  std::string subject;                ///< "host", "cuda:1", "all devices"
  Verdict verdict = Verdict::kFail;
  std::optional<double> measured;
  std::optional<double> threshold;
  std::string picked;                 ///< which instance: "size_bytes=1073741824"
  std::string message;
};

struct AcceptanceReport {
  std::string spec_name;
  std::string spec_file;
  bool incomplete = false;            ///< the results are from an interrupted run (row "run.complete")
  /// Said beside the verdicts, which they do not change: e.g. other processes kept the machine busy
  /// during the run, so a failed CPU or memory check may be the load, not the hardware.
  std::vector<std::string> warnings;
  std::vector<CheckResult> rows;
  std::size_t passed = 0, failed = 0, skipped = 0;
  /// Nothing failed and something was checked: a spec whose every check was skipped (optional
  /// checks of cases the run does not have) accepts nothing.
  bool accepted() const { return failed == 0 && passed > 0; }
};

/// `reference` (optional) is a known-good results file that thresholds with `of_case` may refer to
/// instead of the measured file itself. An incomplete (interrupted) run gets a first row
/// "run.complete" that fails, or with `allow_incomplete` is skipped: the cases it did not reach
/// were not checked, so it is not accepted by default.
AcceptanceReport evaluate(const Spec& spec, const core::Results& results, const core::Results* reference = nullptr,
                          bool allow_incomplete = false);
/// The report's rows point into `spec`: a temporary spec would leave them dangling.
AcceptanceReport evaluate(Spec&& spec, const core::Results& results, const core::Results* reference = nullptr,
                          bool allow_incomplete = false) = delete;

/// JUnit XML (the Ant/Jenkins/GitLab flavour): one <testcase> per row, <failure> and <skipped>.
std::string to_junit_xml(const AcceptanceReport& report, const core::Results& results);

/// Machine-readable verdicts (`headroom accept --json`): spec, counts and one object per row.
std::string acceptance_to_json(const AcceptanceReport& report);

/// Where the shipped specs live: $HEADROOM_DATA_DIR/acceptance, else <exe>/../share/headroom/data/
/// acceptance when installed, else the source tree's data/acceptance.
std::filesystem::path default_acceptance_dir();

/// Escapes UTF-8 text for XML character data and attributes; a code point XML 1.0 cannot hold (C0
/// controls but tab, LF and CR; DEL; surrogates; U+FFFE, U+FFFF) or a byte that is not UTF-8 becomes U+FFFD.
std::string xml_escape(const std::string& s);

}  // namespace headroom::report
