#include "headroom/core/detail/strict_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

namespace headroom::core::detail {

using nlohmann::json;

std::string join_path(const std::string& base, const std::string& key) { return base + "." + key; }
std::string join_path(const std::string& base, std::size_t index) { return fmt::format("{}[{}]", base, index); }

namespace {
/// Watches a parse for a key that appears twice in one object (JSON allows it; the parser would keep
/// the last silently, so a file's second "model" or "tp" would quietly win). Records the first one's path.
class DuplicateKeys {
 public:
  explicit DuplicateKeys(const std::string& file) : file_(file) {}
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        // No headroom document nests more than a few levels; a file nested 100,000 deep once took
        // 14.7 GB (every level keeps its path) before the process died.
        if (frames_.size() >= kMaxJsonDepth) {
          throw InputError(file_, child_path(),
                           fmt::format("JSON nested at most {} levels deep (arrays and objects)", kMaxJsonDepth));
        }
        frames_.push_back({event == json::parse_event_t::array_start, {}, 0, child_path()});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames_.back();
        key_ = parsed.get<std::string>();
        if (!f.keys.insert(key_).second && duplicate_.empty()) duplicate_ = join_path(f.path, key_);
        break;
      }
      case json::parse_event_t::value:
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
        break;
    }
    return true;
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool is_array;
    std::set<std::string> keys;
    std::size_t index;
    std::string path;
  };
  std::string child_path() const {
    if (frames_.empty()) return "$";
    const Frame& parent = frames_.back();
    return parent.is_array ? join_path(parent.path, parent.index) : join_path(parent.path, key_);
  }
  const std::string& file_;
  std::vector<Frame> frames_;
  std::string key_;
  std::string duplicate_;
};

/// nlohmann's "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error ..."
/// without its library prefix: "line 3, column 7: syntax error ...".
std::string without_library_prefix(std::string what) {
  if (what.starts_with("[json.exception.")) {
    const auto close = what.find("] ");
    if (close != std::string::npos) what.erase(0, close + 2);
  }
  for (const char* lead : {"parse error at ", "parse error: "}) {
    if (what.starts_with(lead)) what.erase(0, std::char_traits<char>::length(lead));
  }
  return what;
}
}  // namespace

json parse_json_text(const std::string& text, const std::string& file) {
  DuplicateKeys dup(file);
  json doc;
  try {
    doc = json::parse(text, std::ref(dup));
  } catch (const json::parse_error& e) {
    throw InputError(file, "", fmt::format("valid JSON (at byte {}, {})", e.byte, without_library_prefix(e.what())));
  } catch (const json::out_of_range& e) {
    // A literal too large for a double (1e400): the parser refuses it while reading.
    throw InputError(
        file, "", fmt::format("numbers a double can hold, up to about 1.8e308 ({})", without_library_prefix(e.what())));
  }
  if (!dup.duplicate().empty()) {
    throw InputError(file, dup.duplicate(), "a key that appears once in its object (it appears again: which one is meant?)");
  }
  return doc;
}

std::string read_json_text(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) throw InputError(path, "", "a JSON file, not a directory");
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    // A FIFO would block forever, /dev/zero would fill the memory.
    throw InputError(path, "", "a regular JSON file, not a FIFO, socket or device");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "a readable file (it does not exist or cannot be opened)");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxJsonFileBytes) {
    throw InputError(path, "",
                     fmt::format("a JSON file of at most {} MiB, got {:.0f} MiB", kMaxJsonFileBytes >> 20,
                                 static_cast<double>(size) / (1 << 20)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json_file(const std::string& path) {
  return parse_json_text(read_json_text(path), path);
}

namespace {
const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "something else";
  }
}

std::string range_text(Range r) {
  switch (r) {
    case Range::kAny: return "a finite number";
    case Range::kNonNegative: return "a finite number >= 0";
    case Range::kPositive: return "a finite number > 0";
    case Range::kFraction: return "a number in [0, 1]";
  }
  return "a number";
}

bool in_range(double v, Range r) {
  if (!std::isfinite(v)) return false;
  switch (r) {
    case Range::kAny: return true;
    case Range::kNonNegative: return v >= 0;
    case Range::kPositive: return v > 0;
    case Range::kFraction: return v >= 0 && v <= 1;
  }
  return true;
}

double checked_number(const json& v, Range r, const std::string& file, const std::string& path) {
  if (!v.is_number()) {
    throw InputError(file, path, range_text(r) + ", got " + type_name(v));
  }
  const double d = v.get<double>();
  if (!in_range(d, r)) throw InputError(file, path, fmt::format("{}, got {}", range_text(r), v.dump()));
  return d;
}
}  // namespace

void Reader::expect_object() const {
  if (!value_->is_object()) fail(std::string("an object, got ") + type_name(*value_));
}
void Reader::only_keys(std::initializer_list<std::string_view> allowed) const {
  expect_object();
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    bool known = false;
    for (std::string_view k : allowed) known = known || k == it.key();
    if (known) continue;
    std::string list;
    for (std::string_view k : allowed) {
      if (!list.empty()) list += ", ";
      list += k;
    }
    fail_at(it.key(), "a known field (one of " + list + "); this one is unknown");
  }
}

void Reader::refuse_null(std::initializer_list<std::string_view> keys) const {
  expect_object();
  for (std::string_view k : keys) {
    const auto it = value_->find(std::string(k));
    if (it != value_->end() && it->is_null()) {
      fail_at(std::string(k), "a value, not null (leave the field out for its default)");
    }
  }
}

void Reader::only_non_null_keys(std::initializer_list<std::string_view> allowed) const {
  only_keys(allowed);
  refuse_null(allowed);
}

void Reader::expect_array() const {
  if (!value_->is_array()) fail(std::string("an array, got ") + type_name(*value_));
}

bool Reader::has(const std::string& key) const { return value_->is_object() && value_->contains(key); }

bool Reader::is_null(const std::string& key) const { return !has(key) || (*value_)[key].is_null(); }

Reader Reader::at(const std::string& key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end()) fail_at(key, "a required field (it is missing)");
  return Reader(*it, file_, join_path(path_, key));
}

std::optional<Reader> Reader::maybe(const std::string& key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::nullopt;
  return Reader(*it, file_, join_path(path_, key));
}

Reader Reader::index(std::size_t i) const {
  expect_array();
  if (i >= value_->size()) fail(fmt::format("at least {} elements", i + 1));
  return Reader((*value_)[i], file_, join_path(path_, i));
}

std::size_t Reader::size() const {
  expect_array();
  return value_->size();
}

double Reader::as_number(Range range) const { return checked_number(*value_, range, file_, path_); }

std::string Reader::as_string() const {
  if (!value_->is_string()) fail(std::string("a string, got ") + type_name(*value_));
  return value_->get<std::string>();
}

double Reader::number(const std::string& key, Range range) const { return at(key).as_number(range); }

std::optional<double> Reader::number_or_null(const std::string& key, Range range) const {
  auto r = maybe(key);
  if (!r) return std::nullopt;
  return r->as_number(range);
}

double Reader::number_or(const std::string& key, double fallback, Range range) const {
  auto r = maybe(key);
  return r ? r->as_number(range) : fallback;
}

std::int64_t Reader::integer(const std::string& key, std::int64_t min, std::int64_t max) const {
  Reader r = at(key);
  const json& v = r.value();
  const auto expected = [&] {
    if (min == INT64_MIN && max == INT64_MAX) return std::string("an integer");
    if (max == INT64_MAX) return fmt::format("an integer >= {}", min);
    return fmt::format("an integer in [{}, {}]", min, max);
  };
  if (!v.is_number_integer()) {
    // Accept 4.0 written as a float but not 4.5.
    if (v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>() &&
        std::fabs(v.get<double>()) < 9e15) {
      const auto i = static_cast<std::int64_t>(v.get<double>());
      if (i < min || i > max) r.fail(fmt::format("{}, got {}", expected(), v.dump()));
      return i;
    }
    r.fail(fmt::format("{}, got {}", expected(), v.is_number() ? v.dump() : type_name(v)));
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    r.fail(fmt::format("{}, got {}", expected(), v.dump()));
  }
  const auto i = v.get<std::int64_t>();
  if (i < min || i > max) r.fail(fmt::format("{}, got {}", expected(), i));
  return i;
}

std::optional<std::int64_t> Reader::integer_or_null(const std::string& key, std::int64_t min,
                                                    std::int64_t max) const {
  if (is_null(key)) return std::nullopt;
  return integer(key, min, max);
}

std::int64_t Reader::integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) const {
  if (is_null(key)) return fallback;
  return integer(key, min, max);
}

std::string Reader::string(const std::string& key) const { return at(key).as_string(); }

std::optional<std::string> Reader::string_or_null(const std::string& key) const {
  auto r = maybe(key);
  if (!r) return std::nullopt;
  return r->as_string();
}

std::string Reader::string_or(const std::string& key, const std::string& fallback) const {
  auto r = maybe(key);
  return r ? r->as_string() : fallback;
}

std::string Reader::choice(const std::string& key, const std::vector<std::string>& choices) const {
  const std::string v = string(key);
  for (const auto& c : choices) {
    if (c == v) return v;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw InputError(file_, join_path(path_, key), "one of " + list + ", got '" + v + "'");
}

std::string Reader::choice_or(const std::string& key, const std::vector<std::string>& choices,
                              const std::string& fallback) const {
  if (is_null(key)) return fallback;
  return choice(key, choices);
}

bool Reader::boolean(const std::string& key) const {
  Reader r = at(key);
  if (!r.value().is_boolean()) r.fail(std::string("true or false, got ") + type_name(r.value()));
  return r.value().get<bool>();
}

bool Reader::boolean_or(const std::string& key, bool fallback) const {
  if (is_null(key)) return fallback;
  return boolean(key);
}

std::vector<double> Reader::numbers(const std::string& key, Range range) const {
  Reader arr = at(key);
  const std::size_t n = arr.size();
  std::vector<double> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(arr.index(i).as_number(range));
  return out;
}

void Reader::expect_schema(const std::string& schema, int supported_major) const {
  expect_object();
  const std::string got = string("schema");
  if (got != schema) fail_at("schema", "'" + schema + "', got '" + got + "'");
  const std::string version = string("schema_version");
  // Digits, one dot, digits; MAJOR without a leading zero. An istream parse would take " 1.1",
  // "+1.1", "01.1" and "1. 1", which the schemas' pattern refuses.
  const auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 9 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const std::size_t dot = version.find('.');
  const std::string_view major_text = std::string_view(version).substr(0, dot);
  const std::string_view minor_text =
      dot == std::string::npos ? std::string_view() : std::string_view(version).substr(dot + 1);
  if (!digits(major_text) || !digits(minor_text) || (major_text.size() > 1 && major_text[0] == '0')) {
    fail_at("schema_version", "a version 'MAJOR.MINOR' such as '1.0' (digits only), got '" + version + "'");
  }
  const int major = std::stoi(std::string(major_text));
  if (major != supported_major) {
    fail_at("schema_version", fmt::format("major version {} (this headroom reads {}.x; got {}): upgrade headroom "
                                          "or regenerate the file",
                                          supported_major, supported_major, version));
  }
}

}  // namespace headroom::core::detail
