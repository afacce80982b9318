#include "headroom/core/errors.hpp"

namespace headroom::core {
namespace {
std::string compose(const std::string& file, const std::string& path, const std::string& expected) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!path.empty()) out += path + ": ";
  out += "expected " + expected;
  return out;
}
}  // namespace

InputError::InputError(std::string file, std::string json_path, std::string expected)
    : std::runtime_error(compose(file, json_path, expected)),
      file_(std::move(file)),
      json_path_(std::move(json_path)),
      expected_(std::move(expected)) {}

InputError::InputError(std::string message) : std::runtime_error(std::move(message)) {}

}  // namespace headroom::core
