#pragma once
/// The catalogs shipped in data/: GPU datasheet profiles (data/hardware/*.json) and model
/// architectures (data/models/*.json). Lookup is by id or alias, case-insensitive, ignoring
/// '-', '_' and spaces; an unknown name is an InputError that suggests the closest names.
#include <filesystem>
#include <string>
#include <vector>

#include "headroom/plan/model.hpp"
#include "headroom/plan/profile.hpp"

namespace headroom::plan {

/// The data directory: $HEADROOM_DATA_DIR, else <exe>/../share/headroom/data, else the source tree.
std::filesystem::path default_data_dir();

struct Catalog {
  std::vector<HardwareProfile> gpus;
  std::vector<ModelConfig> models;

  /// Loads every *.json under dir/hardware and dir/models (strictly; a bad file is an InputError).
  static Catalog load(const std::filesystem::path& data_dir);
  static Catalog load_default() { return load(default_data_dir()); }

  /// Throws core::InputError "unknown GPU 'x' (did you mean: ...)".
  const HardwareProfile& gpu(const std::string& name) const;
  const ModelConfig& model(const std::string& name) const;
  const HardwareProfile* find_gpu(const std::string& name) const;
  const ModelConfig* find_model(const std::string& name) const;
};

/// Levenshtein distance (for suggestions).
std::size_t edit_distance(const std::string& a, const std::string& b);
/// Up to `n` candidates closest to `name` (normalised), best first.
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t n = 3);
/// Lower case, without '-', '_', ' ' and '.'.
std::string normalize_name(const std::string& s);

}  // namespace headroom::plan
