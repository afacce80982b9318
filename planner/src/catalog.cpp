#include "headroom/plan/catalog.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "headroom/core/errors.hpp"

namespace headroom::plan {

namespace fs = std::filesystem;

fs::path default_data_dir() {
  if (const char* env = std::getenv("HEADROOM_DATA_DIR"); env && *env) return fs::path(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "headroom" / "data";
    if (fs::is_directory(installed / "hardware", ec)) return installed;
  }
  return fs::path(HEADROOM_SOURCE_DATA_DIR);
}

std::string normalize_name(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '-' || c == '_' || c == ' ' || c == '.') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t n) {
  const std::string key = normalize_name(name);
  // A candidate containing the typed text, or contained in it ("nvidia h100" holds the alias "H100"),
  // ranks before every other; within each group the edit distance decides. Names under 3 characters
  // ("L4") are too short to count as contained.
  std::vector<std::pair<std::pair<bool, std::size_t>, std::string>> scored;
  for (const auto& c : candidates) {
    const std::string nc = normalize_name(c);
    const bool contained = std::min(key.size(), nc.size()) >= 3 &&
                           (nc.find(key) != std::string::npos || key.find(nc) != std::string::npos);
    scored.push_back({{!contained, edit_distance(key, nc)}, c});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored) {
    if (std::find(out.begin(), out.end(), c) != out.end()) continue;
    out.push_back(c);
    if (out.size() == n) break;
  }
  return out;
}

namespace {
std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw core::InputError(dir.string(), "", "a catalog directory (set HEADROOM_DATA_DIR to headroom's data/)");
  }
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

template <class T>
const T* find_by_name(const std::vector<T>& items, const std::string& name) {
  const std::string key = normalize_name(name);
  for (const auto& it : items) {
    if (normalize_name(it.id) == key) return &it;
  }
  for (const auto& it : items) {
    for (const auto& a : it.aliases) {
      if (normalize_name(a) == key) return &it;
    }
  }
  return nullptr;
}

template <class T>
[[noreturn]] void unknown(const std::vector<T>& items, const std::string& what, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& it : items) {
    names.push_back(it.id);
    for (const auto& a : it.aliases) names.push_back(a);
  }
  const auto best = closest_names(name, names, 3);
  std::vector<std::string> ids;
  for (const auto& b : best) {
    const T* t = find_by_name(items, b);
    const std::string id = t ? t->id : b;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  throw core::InputError(fmt::format("unknown {} '{}' (did you mean: {}?; `headroom plan --list` shows all)", what,
                                     name, fmt::join(ids, ", ")));
}
}  // namespace

Catalog Catalog::load(const fs::path& data_dir) {
  Catalog c;
  for (const auto& f : json_files(data_dir / "hardware")) c.gpus.push_back(load_profile(f));
  for (const auto& f : json_files(data_dir / "models")) c.models.push_back(load_model(f));
  return c;
}

const HardwareProfile* Catalog::find_gpu(const std::string& name) const { return find_by_name(gpus, name); }
const ModelConfig* Catalog::find_model(const std::string& name) const { return find_by_name(models, name); }

const HardwareProfile& Catalog::gpu(const std::string& name) const {
  if (const auto* g = find_gpu(name)) return *g;
  unknown(gpus, "GPU", name);
}
const ModelConfig& Catalog::model(const std::string& name) const {
  if (const auto* m = find_model(name)) return *m;
  unknown(models, "model", name);
}

}  // namespace headroom::plan
