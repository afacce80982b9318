#include <gtest/gtest.h>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "headroom/core/detail/strict_json.hpp"

using namespace headroom::core;
using namespace headroom::core::detail;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(StrictJson, TypedAccessWithPaths) {
  const auto doc = parse_json_text(R"({"a": {"b": [1, 2.5, "x"], "n": 4.0, "f": 0.25, "s": "bf16", "t": true}})", "w.json");
  const Reader root(doc, "w.json");
  const Reader a = root.at("a");
  EXPECT_EQ(a.integer("n", 1, 8), 4);  // 4.0 accepted as an integer
  EXPECT_DOUBLE_EQ(a.number("f", Range::kFraction), 0.25);
  EXPECT_EQ(a.choice("s", {"fp16", "bf16"}), "bf16");
  EXPECT_TRUE(a.boolean("t"));
  EXPECT_DOUBLE_EQ(a.at("b").index(1).as_number(), 2.5);
  EXPECT_EQ(a.number_or("missing", 7.0), 7.0);
  EXPECT_FALSE(a.number_or_null("missing").has_value());

  EXPECT_EQ(error_of([&] { a.at("b").index(2).as_number(); }), "w.json: $.a.b[2]: expected a finite number, got a string");
  EXPECT_EQ(error_of([&] { a.integer("f"); }), "w.json: $.a.f: expected an integer, got 0.25");
  EXPECT_EQ(error_of([&] { a.integer("n", 5, 8); }), "w.json: $.a.n: expected an integer in [5, 8], got 4.0");
  EXPECT_EQ(error_of([&] { a.choice("s", {"fp8"}); }), "w.json: $.a.s: expected one of fp8, got 'bf16'");
  EXPECT_EQ(error_of([&] { a.string("zz"); }), "w.json: $.a.zz: expected a required field (it is missing)");
  EXPECT_EQ(error_of([&] { a.number("s", Range::kPositive); }), "w.json: $.a.s: expected a finite number > 0, got a string");
  EXPECT_EQ(error_of([&] { a.at("b").index(9); }), "w.json: $.a.b: expected at least 10 elements");
}

TEST(StrictJson, RangesRejectNegativeAndOutOfFraction) {
  const auto doc = parse_json_text(R"({"neg": -1, "big": 1.5, "zero": 0})", "r.json");
  const Reader r(doc, "r.json");
  EXPECT_THROW(r.number("neg", Range::kNonNegative), InputError);
  EXPECT_THROW(r.number("big", Range::kFraction), InputError);
  EXPECT_THROW(r.number("zero", Range::kPositive), InputError);
  EXPECT_DOUBLE_EQ(r.number("zero", Range::kNonNegative), 0.0);
}

TEST(StrictJson, SchemaVersionChecks) {
  const auto ok = parse_json_text(R"({"schema": "headroom.results", "schema_version": "1.7"})", "v.json");
  EXPECT_NO_THROW(Reader(ok, "v.json").expect_schema("headroom.results", 1));  // newer minor is fine
  const auto major = parse_json_text(R"({"schema": "headroom.results", "schema_version": "2.0"})", "v.json");
  EXPECT_NE(error_of([&] { Reader(major, "v.json").expect_schema("headroom.results", 1); }).find("major version 1"),
            std::string::npos);
  // The schemas' pattern ^1\.[0-9]+$: no space, sign, leading zero or second dot.
  for (const char* bad : {" 1.1", "+1.1", "01.1", "1. 1", "1.1 ", "1.", ".1", "1.1.1", "1.-1", "1"}) {
    const auto v = parse_json_text(fmt::format(R"({{"schema": "headroom.results", "schema_version": "{}"}})", bad), "v.json");
    EXPECT_NE(error_of([&] { Reader(v, "v.json").expect_schema("headroom.results", 1); }).find("MAJOR.MINOR"),
              std::string::npos)
        << bad;
  }
  const auto minor_zeros = parse_json_text(R"({"schema": "headroom.results", "schema_version": "1.01"})", "v.json");
  EXPECT_NO_THROW(Reader(minor_zeros, "v.json").expect_schema("headroom.results", 1));
  const auto garbage = parse_json_text(R"({"schema": "headroom.results", "schema_version": "one"})", "v.json");
  EXPECT_NE(error_of([&] { Reader(garbage, "v.json").expect_schema("headroom.results", 1); }).find("MAJOR.MINOR"),
            std::string::npos);
}

TEST(StrictJson, MissingFileNamesIt) {
  EXPECT_EQ(error_of([] { read_json_file("/nonexistent/headroom.json"); }),
            "/nonexistent/headroom.json: expected a readable file (it does not exist or cannot be opened)");
}

TEST(StrictJson, DirectoryIsNotAJsonFile) {
  EXPECT_EQ(error_of([] { read_json_file("/tmp"); }), "/tmp: expected a JSON file, not a directory");
}

TEST(StrictJson, DuplicateKeysAreRefusedWithTheirPath) {
  // JSON allows a key twice in one object and the parser keeps the last: a file's second "tp" would
  // win silently. The first duplicate is named by its path, through objects and arrays.
  EXPECT_EQ(error_of([] { parse_json_text(R"({"model": "a", "phase": "train", "model": "b"})", "w.json"); }),
            "w.json: $.model: expected a key that appears once in its object (it appears again: which one is meant?)");
  EXPECT_EQ(error_of([] { parse_json_text(R"({"cases": [{"x": 1}, {"m": [1, {"k": 1, "k": 2}]}]})", "r.json"); }),
            "r.json: $.cases[1].m[1].k: expected a key that appears once in its object (it appears again: which one is "
            "meant?)");
  // The same key in different objects, nested or side by side, is fine.
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}], "k": 5})", "ok.json"));
}

TEST(StrictJson, RefuseNullNamesTheField) {
  const auto doc = parse_json_text(R"({"a": null, "b": 1, "c": false})", "n.json");
  const Reader r(doc, "n.json");
  EXPECT_NO_THROW(r.refuse_null({"b", "c", "absent"}));
  EXPECT_EQ(error_of([&] { r.refuse_null({"b", "a"}); }),
            "n.json: $.a: expected a value, not null (leave the field out for its default)");
}

TEST(StrictJson, NestingDeeperThanTheLimitIsRefusedAtOnce) {
  // 100,000 levels once took 14.7 GB before the process died; now the 65th level stops the parse.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string message = error_of([&] { parse_json_text(deep, "deep.json"); });
  EXPECT_EQ(message.rfind("deep.json: $[0]", 0), 0u) << message.substr(0, 80);
  EXPECT_NE(message.find("expected JSON nested at most 64 levels deep (arrays and objects)"), std::string::npos);
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_NO_THROW(parse_json_text(ok, "ok.json"));
  const std::string one_more = "[" + ok + "]";
  EXPECT_THROW(parse_json_text(one_more, "x.json"), InputError);
}

TEST(StrictJson, OnlyRegularFilesAreRead) {
  // A FIFO would block forever and /dev/zero would fill the memory.
  EXPECT_EQ(error_of([] { read_json_file("/dev/zero"); }),
            "/dev/zero: expected a regular JSON file, not a FIFO, socket or device");
  const std::string fifo = ::testing::TempDir() + "headroom_fifo_" + std::to_string(::getpid());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { read_json_file(fifo); }),
            fifo + ": expected a regular JSON file, not a FIFO, socket or device");
  ::unlink(fifo.c_str());
}

TEST(StrictJson, SyntaxErrorsWithoutTheLibrarysPrefix) {
  EXPECT_EQ(error_of([] { parse_json_text(R"({"a": NaN})", "n.json"); }),
            "n.json: expected valid JSON (at byte 7, line 1, column 7: syntax error while parsing value - invalid "
            "literal; last read: '\"a\": N')");
  EXPECT_EQ(error_of([] { parse_json_text(R"({"a": 1e400})", "big.json"); }).find("[json.exception"),
            std::string::npos);
}

TEST(Errors, EchoedValuesArePrintableAndBounded) {
  // A value echoed in a message cannot print control sequences or fake a line of output...
  const InputError e("f.json", "$.schema", "'x', got '\x1b[31mRED\x1b[0m\nheadroom: ok'");
  EXPECT_STREQ(e.what(), "f.json: $.schema: expected 'x', got '\\x1b[31mRED\\x1b[0m\\nheadroom: ok'");
  // ...nor run to megabytes: cut after about 2 KiB, at a character boundary, saying how much more.
  const InputError big("f.json", "$.name", "a name, got '" + std::string(20'000'000, 'a') + "'");
  EXPECT_LT(std::string(big.what()).size(), 2200u);
  EXPECT_NE(std::string(big.what()).find("… (19997966 more bytes)"), std::string::npos)
      << std::string(big.what()).substr(2000);
  EXPECT_EQ(printable("é€x", 1), "é… (4 more bytes)");  // never half a UTF-8 character
  EXPECT_EQ(printable("tab\there", 100), "tab\\there");
  // The raw text stays available to callers that need it.
  EXPECT_EQ(big.expected().size(), 20'000'014u);
}
