// tokenize through the real executable with the bundled demo model's tokenizer: round trip, JSONL, errors.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lib/tokenizer/tokenizer.h"
#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

using Catch::Matchers::Contains;

namespace {
const std::string kModel = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";
}

TEST_CASE("tokenize encodes like the library and decodes back", "[apps][tokenize]") {
  auto dir = kvt::test::fresh_test_dir("cli_tokenize");
  const std::string text = "The hacker's  ethic, 42 times.";
  std::ofstream(dir + "/in.txt", std::ios::binary) << text;
  auto encoded = kvt::test::run_kvtuner_search("tokenize --tokenizer " + kModel + " --input " + dir + "/in.txt");
  REQUIRE(encoded.exit_code == 0);
  auto tokenizer = kvt::tok::Tokenizer::load(kModel);
  std::string expected;
  for (auto id : tokenizer.encode(text, true)) expected += (expected.empty() ? "" : " ") + std::to_string(id);
  CHECK(encoded.out == expected + "\n");
  std::ofstream(dir + "/ids.txt") << encoded.out;
  auto decoded = kvt::test::run_kvtuner_search("tokenize --decode --skip-special --tokenizer " + kModel + " --input " +
                                               dir + "/ids.txt");
  REQUIRE(decoded.exit_code == 0);
  CHECK(decoded.out == text);
}

TEST_CASE("tokenize --jsonl: one array per line, and a bad line is named", "[apps][tokenize]") {
  auto dir = kvt::test::fresh_test_dir("cli_tokenize_jsonl");
  std::ofstream(dir + "/in.jsonl") << "\"a b\"\n\n\"c\"\n";
  auto ok = kvt::test::run_kvtuner_search("tokenize --jsonl --tokenizer " + kModel + " --input " + dir + "/in.jsonl");
  REQUIRE(ok.exit_code == 0);
  std::istringstream lines(ok.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    CHECK(nlohmann::json::parse(line).is_array());
    ++count;
  }
  CHECK(count == 2);
  std::ofstream(dir + "/bad.jsonl") << "\"a\"\n{oops\n";
  auto bad = kvt::test::run_kvtuner_search("tokenize --jsonl --tokenizer " + kModel + " --input " + dir + "/bad.jsonl");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("bad.jsonl:2") && Contains("not valid JSON"));
  auto missing = kvt::test::run_kvtuner_search("tokenize --tokenizer /nonexistent/tok.json");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("/nonexistent/tok.json"));
}
