#pragma once
/// Strict JSON reading shared by every document loader (results, profile, workload, scenario, spec).
/// A detail header for headroom's own libraries: it exposes nlohmann::json and is not public API.
/// Every failure throws core::InputError naming the file, the JSON path ("$.cases[3].samples") and
/// what was expected.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "headroom/core/errors.hpp"

namespace headroom::core::detail {

/// Deepest nesting of arrays and objects a document may have (results.json goes 6 deep).
inline constexpr std::size_t kMaxJsonDepth = 64;
/// Largest JSON file read (a quick-suite results.json of this VM is 0.09 MiB).
inline constexpr std::uintmax_t kMaxJsonFileBytes = 1ull << 30;

/// Parses `text` (the contents of `file`); a syntax error names the byte offset.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);
/// A JSON file's text: an InputError naming it when it is missing, unreadable, a directory, not a
/// regular file (a FIFO would block, /dev/zero fill the memory) or larger than kMaxJsonFileBytes.
std::string read_json_text(const std::string& path);
/// Reads and parses a file; a missing/unreadable file is an InputError naming it.
nlohmann::json read_json_file(const std::string& path);

/// Constraint on a number read from a document.
enum class Range { kAny, kNonNegative, kPositive, kFraction /* [0, 1] */ };

/// A cursor on one JSON value with the path that led to it.
class Reader {
 public:
  Reader(const nlohmann::json& value, std::string file, std::string path = "$")
      : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

  const nlohmann::json& value() const { return *value_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& expected) const { throw InputError(file_, path_, expected); }
  [[noreturn]] void fail_at(const std::string& key, const std::string& expected) const {
    throw InputError(file_, path_ + "." + key, expected);
  }

  bool has(const std::string& key) const;
  /// True when the key is absent or null.
  bool is_null(const std::string& key) const;
  Reader at(const std::string& key) const;          ///< required member (object expected here)
  std::optional<Reader> maybe(const std::string& key) const;  ///< absent or null -> nullopt
  Reader index(std::size_t i) const;                 ///< element of an array
  std::size_t size() const;                          ///< array length; fails if not an array
  void expect_object() const;
  void expect_array() const;
  /// Refuses a member not in `allowed` (a typo such as "zero_stag" would otherwise be ignored),
  /// naming it and listing the known ones. This value must be an object.
  void only_keys(std::initializer_list<std::string_view> allowed) const;

  /// Refuses each of `keys` that is present with the value null: the *_or readers take null as
  /// absent, which is right only where the schema allows null ("incomplete": null would otherwise
  /// read as false, an interrupted run as complete). This value must be an object.
  void refuse_null(std::initializer_list<std::string_view> keys) const;
  /// only_keys and refuse_null on the same list: an object whose schema allows null for none of its
  /// fields (the workload file's sections).
  void only_non_null_keys(std::initializer_list<std::string_view> allowed) const;

  double number(const std::string& key, Range range = Range::kAny) const;
  std::optional<double> number_or_null(const std::string& key, Range range = Range::kAny) const;
  double number_or(const std::string& key, double fallback, Range range = Range::kAny) const;
  std::int64_t integer(const std::string& key, std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  std::optional<std::int64_t> integer_or_null(const std::string& key, std::int64_t min = INT64_MIN,
                                              std::int64_t max = INT64_MAX) const;
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min = INT64_MIN,
                          std::int64_t max = INT64_MAX) const;
  std::string string(const std::string& key) const;
  std::optional<std::string> string_or_null(const std::string& key) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;
  /// A string that must be one of `choices`.
  std::string choice(const std::string& key, const std::vector<std::string>& choices) const;
  std::string choice_or(const std::string& key, const std::vector<std::string>& choices,
                        const std::string& fallback) const;
  bool boolean(const std::string& key) const;
  bool boolean_or(const std::string& key, bool fallback) const;
  std::vector<double> numbers(const std::string& key, Range range = Range::kAny) const;

  /// This value itself as a number (for array elements).
  double as_number(Range range = Range::kAny) const;
  std::string as_string() const;

  /// Checks `schema` (string) and `schema_version` ("MAJOR.MINOR", digits only, no sign, space or
  /// leading zero in MAJOR: the schemas' pattern ^1\.[0-9]+$); an unknown major is refused.
  void expect_schema(const std::string& schema, int supported_major) const;

 private:
  const nlohmann::json* value_;
  std::string file_;
  std::string path_;
};

/// "$.a" + "b" -> "$.a.b"; "$.a" + 3 -> "$.a[3]".
std::string join_path(const std::string& base, const std::string& key);
std::string join_path(const std::string& base, std::size_t index);

}  // namespace headroom::core::detail
