// types through the real executable: one line per engine KV-cache type with its block and storage bits.
// Expected bits come from the engines' block layouts (llama.cpp ggml-common.h: an 18-byte q4_0 block holds 32
// elements; LMDeploy: codes plus a 16-bit scale and zero per token per head), not from the registry's formula.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli.h"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The whitespace-separated fields of the line that starts with `name`.
std::vector<std::string> fields_of(const std::vector<std::string>& lines, const std::string& name) {
  for (const auto& line : lines) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (!fields.empty() && fields[0] == name) return fields;
  }
  return {};
}
}  // namespace

TEST_CASE("types lists every engine KV-cache type with its block and bits per element", "[apps][types]") {
  auto run = kvt::test::run_kvtuner_search("types");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 12);  // header + 11 types
  CHECK_THAT(lines[0], StartsWith("name"));
  CHECK(fields_of(lines, "q4_0").at(1) == "32");
  CHECK(fields_of(lines, "q4_0").at(2) == "4.5");  // 18 bytes / 32
  CHECK(fields_of(lines, "q8_0").at(2) == "8.5");  // 34 bytes / 32
  CHECK(fields_of(lines, "q5_1").at(2) == "6");    // 24 bytes / 32
  CHECK(fields_of(lines, "nvfp4").at(1) == "16");
  CHECK(fields_of(lines, "nvfp4").at(2) == "4.5");  // 9 bytes / 16
  CHECK(fields_of(lines, "int8").at(1) == "token-head");
  CHECK(fields_of(lines, "int8").at(2) == "8.25");  // 8 + 32/128
  CHECK(fields_of(lines, "fp8_e4m3").at(1) == "tensor");
  CHECK(fields_of(lines, "fp8_e4m3").at(2) == "8");
  CHECK_THAT(run.out, Contains("iq4_nl") && Contains("LMDeploy"));
}

TEST_CASE("types --head-dim changes per-head costs and marks blocks that do not fit", "[apps][types]") {
  auto run = kvt::test::run_kvtuner_search("types --head-dim 80");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  CHECK(fields_of(lines, "int4").at(2) == "4.4");   // 4 + 32/80
  CHECK(fields_of(lines, "q4_0").at(2) == "-");     // 80 is not a multiple of 32
  CHECK(fields_of(lines, "nvfp4").at(2) == "4.5");  // 80 = 5 blocks of 16
  auto bad = kvt::test::run_kvtuner_search("types --head-dim 0");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("[kvt.input.434]") && Contains("--head-dim"));
}
