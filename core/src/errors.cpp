#include "headroom/core/errors.hpp"

#include <fmt/format.h>

namespace headroom::core {

std::string printable(const std::string& text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < text.size()) {
    // Cut at a UTF-8 character boundary: drop continuation bytes left without their lead byte.
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) out += text[i++];
    if (i < text.size()) out += fmt::format("… ({} more bytes)", text.size() - i);
  }
  return out;
}

namespace {
std::string compose(const std::string& file, const std::string& path, const std::string& expected) {
  // Messages echo what a file or flag held ("got '...'"): a hostile or broken input must not be
  // able to print 20 MB, move the cursor or fake a line of output with it.
  std::string out;
  if (!file.empty()) out += printable(file, 512) + ": ";
  if (!path.empty()) out += printable(path, 512) + ": ";
  out += "expected " + printable(expected, 2048);
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
