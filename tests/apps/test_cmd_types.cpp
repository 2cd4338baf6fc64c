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

TEST_CASE("types --engine lists the engine's candidates and their memory at --kv-memory", "[apps][types]") {
  // kvt-demo-6l: 6 layers, 2 KV heads, head_dim 32. auto (bf16): 6 · 2 · 32 · (16 + 16) / 8 = 1536 B per token;
  // 16 GiB = 2^34 B → ⌊2^34 / 1536⌋ = 11184810 tokens. fp8: 768 B → 22369621.
  auto run = kvt::test::run_kvtuner_search("types --engine vllm --model " KVT_SOURCE_DIR
                                           "/data/models/kvt-demo-6l --kv-memory 16GiB");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 6);  // shape + header + 2 families of 2
  CHECK_THAT(lines[0], StartsWith("vllm: one quantized type, each layer may stay at auto, K = V"));
  CHECK_THAT(lines[1], Contains("tokens in 16GiB"));
  CHECK(fields_of(lines, "vllm").size() == 6);  // family (2 words), candidate, bits, bytes, tokens
  const std::vector<std::string> fp8 = {"vllm", "fp8_e4m3", "KV=fp8_e4m3", "8", "768", "22369621"};
  const std::vector<std::string> bf16 = {"vllm", "fp8_e4m3", "KV=auto", "16", "1536", "11184810"};
  CHECK(fields_of({lines[2]}, "vllm") == fp8);
  CHECK(fields_of({lines[3]}, "vllm") == bf16);
  CHECK_THAT(lines[4], Contains("KV=fp8_e5m2"));
}

TEST_CASE("types --engine llama.cpp is one global family of 49 K and V pairs", "[apps][types]") {
  auto run = kvt::test::run_kvtuner_search("types --engine llama.cpp --head-dim 128");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 51);  // shape + header + 7 · 7
  CHECK_THAT(lines[0], StartsWith("llama.cpp: global (one candidate for every layer), K != V"));
  // q8_0 8.5 bits, q4_0 4.5: mean 6.5.
  bool found = false;
  for (const auto& line : lines)
    if (line.find("K=q8_0,V=q4_0 ") != std::string::npos) found = line.find(" 6.5") != std::string::npos;
  CHECK(found);
}

TEST_CASE("types --engine rejects unknown engines and bad memory sizes", "[apps][types]") {
  auto unknown = kvt::test::run_kvtuner_search("types --engine tgi");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Contains("[kvt.input.435] --engine: unknown engine 'tgi'"));
  auto bad = kvt::test::run_kvtuner_search("types --engine vllm --model " KVT_SOURCE_DIR
                                           "/data/models/kvt-demo-6l --kv-memory 16gib");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("[kvt.input.436] --kv-memory: '16gib' is not a memory size"));
  auto no_model = kvt::test::run_kvtuner_search("types --engine vllm --kv-memory 16GiB");
  CHECK(no_model.exit_code == 2);
  CHECK_THAT(no_model.err, Contains("[kvt.input.438] --kv-memory: needs --model"));
}
