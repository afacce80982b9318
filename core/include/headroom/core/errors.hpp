#pragma once
/// Typed errors. Library code throws these and never exits; only main() maps them to exit codes:
/// InputError -> 2 (bad input), EnvironmentError -> 3 (no device, no permission, no space).
#include <stdexcept>
#include <string>

namespace headroom::core {

/// Process exit codes of every headroom executable (the CLI contract).
enum class ExitCode : int { kOk = 0, kCheckFailed = 1, kBadInput = 2, kEnvironment = 3 };

/// `text` with control characters escaped (\n, \t, \xNN) and cut after about `max_bytes` bytes
/// (at a UTF-8 character boundary, saying how many more there were): safe to print in a message.
std::string printable(const std::string& text, std::size_t max_bytes);

/// Bad input: a file, flag or field that does not hold what was expected.
/// what() reads "FILE: PATH: expected EXPECTATION" (file and path omitted when empty).
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string json_path, std::string expected);
  explicit InputError(std::string message);
  const std::string& file() const noexcept { return file_; }
  const std::string& json_path() const noexcept { return json_path_; }
  const std::string& expected() const noexcept { return expected_; }

 private:
  std::string file_;
  std::string json_path_;
  std::string expected_;
};

/// The environment cannot do what was asked: missing device, permission, disk space, I/O failure.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A benchmark that cannot run here (no device, unsupported precision). Recorded as `waived`.
class Waived : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace headroom::core
