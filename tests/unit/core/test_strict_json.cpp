#include <gtest/gtest.h>

#include <fmt/format.h>

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
