// Every tokenizer error: the exception type, its id, and a message naming the file, field or feature.
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer.h"
#include "tests/lib/tokenizer/tokenizer_fixtures.h"

using kvt::test::TempDir;
using kvt::tok::Tokenizer;
using nlohmann::json;

namespace {

// Loads `spec` and returns the error it raises (type T), failing the test when none is raised.
template <class T>
T load_error(const json& spec, const json& config = nullptr) {
  TempDir dir;
  try {
    Tokenizer::load(kvt::test::write_tokenizer(dir, spec, config));
  } catch (const T& e) {
    return e;
  }
  FAIL("no error raised");
  throw std::logic_error("unreachable");
}

json base() { return kvt::test::byte_level_tokenizer_json({{"a", "b"}}); }

}  // namespace

TEST_CASE("missing paths and files are input errors naming the path", "[lib][tokenizer]") {
  TempDir dir;
  REQUIRE_THROWS_AS(Tokenizer::load(dir.file("nope")), kvt::InputError);
  REQUIRE_THROWS_WITH(Tokenizer::load(dir.file("nope")), Catch::Contains("[kvt.input.700]") && Catch::Contains("nope"));
  REQUIRE_THROWS_WITH(Tokenizer::load(dir.path().string()),
                      Catch::Contains("[kvt.input.700]") && Catch::Contains("no tokenizer.json"));
  dir.write("vocab.json", "{}");  // merges.txt missing: still not a tokenizer directory
  REQUIRE_THROWS_WITH(Tokenizer::load(dir.path().string()), Catch::Contains("[kvt.input.700]"));
  dir.write("tokenizer.json", "{ not json");
  REQUIRE_THROWS_WITH(Tokenizer::load(dir.path().string()),
                      Catch::Contains("[kvt.input.701]") && Catch::Contains("tokenizer.json: not valid JSON"));
}

TEST_CASE("malformed fields name their path in tokenizer.json", "[lib][tokenizer]") {
  json spec = base();
  spec["model"]["merges"] = {42};
  CHECK_THAT(load_error<kvt::InputError>(spec).what(),
             Catch::Contains("[kvt.input.701]") && Catch::Contains("model.merges[0]"));
  spec = base();
  spec["model"]["merges"] = {"a b c"};
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("exactly one space"));
  spec = base();
  spec["model"].erase("vocab");
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("model: missing field \"vocab\""));
  spec = base();
  spec["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "("}}}, {"behavior", "Isolated"}};
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("[kvt.input.706]") && Catch::Contains("'('"));
  spec = base();
  spec["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", "Sideways"}};
  CHECK_THAT(load_error<kvt::InputError>(spec).what(),
             Catch::Contains("pre_tokenizer.behavior") && Catch::Contains("Sideways"));
  spec = base();
  spec["added_tokens"] = {{{"id", 5}, {"content", 3}}};
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("added_tokens[0].content"));
}

TEST_CASE("a vocabulary that disagrees with its merges is input.702", "[lib][tokenizer]") {
  json spec = base();
  spec["model"]["merges"].push_back("x yz");
  CHECK_THAT(load_error<kvt::InputError>(spec).what(),
             Catch::Contains("[kvt.input.702]") && Catch::Contains("merges[1] \"x yz\"") && Catch::Contains("\"yz\""));
  spec = base();
  spec["model"]["vocab"]["dup"] = 97;
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("id 97 is used twice"));
  spec = base();
  spec["model"]["unk_token"] = "<unk>";
  CHECK_THAT(load_error<kvt::InputError>(spec).what(), Catch::Contains("unk_token \"<unk>\""));
  CHECK_THAT(load_error<kvt::InputError>(base(), {{"bos_token", "<nope>"}}).what(),
             Catch::Contains("tokenizer_config.json.bos_token") && Catch::Contains("<nope>"));
}

TEST_CASE("unsupported tokenizer.json features are named", "[lib][tokenizer]") {
  auto unsupported = [](json spec) { return std::string(load_error<kvt::UnsupportedError>(spec).what()); };
  json spec = base();
  spec["model"]["type"] = "Unigram";
  CHECK_THAT(unsupported(spec), Catch::Contains("[kvt.unsupported.700]") && Catch::Contains("model type \"Unigram\""));
  spec = base();
  spec["model"]["dropout"] = 0.1;
  CHECK_THAT(unsupported(spec), Catch::Contains("dropout"));
  spec = base();
  spec["model"]["continuing_subword_prefix"] = "##";
  CHECK_THAT(unsupported(spec), Catch::Contains("continuing_subword_prefix"));
  spec = base();
  spec["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Lowercase"}}}}};
  CHECK_THAT(unsupported(spec), Catch::Contains("normalizer.normalizers[1]") && Catch::Contains("\"Lowercase\""));
  spec = base();
  spec["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  CHECK_THAT(unsupported(spec), Catch::Contains("\"BertPreTokenizer\""));
  spec = base();
  spec["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "ByteLevel"}}, {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Isolated"}}}}};
  CHECK_THAT(unsupported(spec), Catch::Contains("ByteLevel must come last"));
  spec = base();
  spec["decoder"] = {{"type", "WordPiece"}};
  CHECK_THAT(unsupported(spec), Catch::Contains("decoder type \"WordPiece\""));
  spec = base();
  spec["post_processor"] = {{"type", "Custom"}};
  CHECK_THAT(unsupported(spec), Catch::Contains("post_processor type \"Custom\""));
  spec = base();
  spec["added_tokens"] = {{{"id", 300}, {"content", "<w>"}, {"single_word", true}}};
  CHECK_THAT(unsupported(spec), Catch::Contains("single_word"));
}

TEST_CASE("encode rejects invalid UTF-8 and decode rejects unknown ids", "[lib][tokenizer]") {
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, base()));
  REQUIRE_THROWS_WITH(tok.encode("ok \xFF there", false),
                      Catch::Contains("[kvt.input.703]") && Catch::Contains("byte 3"));
  REQUIRE_THROWS_WITH(tok.encode("cut \xE6\x97", false), Catch::Contains("byte 4"));
  REQUIRE_THROWS_WITH(tok.decode({97, 257}), Catch::Contains("[kvt.input.704]") && Catch::Contains("257"));
  REQUIRE_THROWS_WITH(tok.decode({-1}), Catch::Contains("outside the vocabulary"));
  CHECK(tok.id_to_token(9999).empty());
  CHECK(tok.token_to_id("zzz") == -1);
}

TEST_CASE("a character with neither a piece, byte fallback nor unk is input.705", "[lib][tokenizer]") {
  json spec = kvt::test::sentencepiece_tokenizer_json({"\xE2\x96\x81", "a"}, {}, false);
  spec["model"]["unk_token"] = nullptr;
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
  CHECK(tok.encode("a", false) == std::vector<int64_t>{259, 260});
  REQUIRE_THROWS_WITH(tok.encode("a\xC3\xA4", false), Catch::Contains("[kvt.input.705]") && Catch::Contains("U+00E4"));
}
