// Hostile tokenizer files (issue 14): nesting, integer ranges and non-regular files are refused with one
// line naming the file and field, never a crash, a hang or a silently wrong id.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer.h"
#include "tests/lib/tokenizer/tokenizer_fixtures.h"

using kvt::test::TempDir;
using kvt::tok::Tokenizer;
using nlohmann::json;

namespace {

json base() { return kvt::test::byte_level_tokenizer_json({{"a", "b"}}); }

// `depth` nested Sequence components of one kind around an innermost `leaf`, as text: building it as an
// nlohmann value would itself recurse `depth` deep.
std::string nested_sequence(const std::string& list_field, const std::string& leaf, int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "{\"type\":\"Sequence\",\"" + list_field + "\":[";
  text += leaf;
  for (int i = 0; i < depth; ++i) text += "]}";
  return text;
}

// The tokenizer.json text of base() with `field` replaced by the raw JSON `component`.
std::string with_component(const std::string& field, const std::string& component) {
  json spec = base();
  spec[field] = "PLACEHOLDER";
  std::string text = spec.dump();
  const std::string mark = "\"PLACEHOLDER\"";
  return text.replace(text.find(mark), mark.size(), component);
}

std::string load_error(const std::string& dir) {
  try {
    Tokenizer::load(dir);
  } catch (const kvt::Error& e) {
    return e.what();
  }
  FAIL("no error raised");
  return "";
}

}  // namespace

TEST_CASE("tokenizer fault: Sequence components nested 100,000 deep are refused, not a crash", "[lib][tokenizer]") {
  const struct {
    const char* field;
    const char* list;
    const char* leaf;
  } kinds[] = {{"normalizer", "normalizers", R"({"type":"NFC"})"},
               {"pre_tokenizer", "pretokenizers", R"({"type":"ByteLevel","add_prefix_space":false})"},
               {"decoder", "decoders", R"({"type":"ByteLevel"})"}};
  for (const auto& kind : kinds) {
    DYNAMIC_SECTION(kind.field) {
      TempDir dir;
      dir.write("tokenizer.json", with_component(kind.field, nested_sequence(kind.list, kind.leaf, 100000)));
      const std::string error = load_error(dir.path().string());
      CHECK(error.find("[kvt.input.701] " + dir.file("tokenizer.json") + ": JSON nested deeper than 128 levels") == 0);
      CHECK(error.find('\n') == std::string::npos);
      // Within the limit, nesting is fine and means what the flat list means.
      TempDir ok;
      ok.write("tokenizer.json", with_component(kind.field, nested_sequence(kind.list, kind.leaf, 40)));
      Tokenizer t = Tokenizer::load(ok.path().string());
      CHECK(t.decode(t.encode("ab ab", false)) == "ab ab");
    }
  }
}

TEST_CASE("tokenizer fault: ids beyond the id range are refused naming the field, not wrapped", "[lib][tokenizer]") {
  const int64_t two_to_40 = int64_t(1) << 40;
  SECTION("an added token id of 2^40 (used to encode as 0)") {
    json spec = base();
    spec["added_tokens"] = {{{"id", two_to_40}, {"content", "<x>"}, {"special", true}}};
    TempDir dir;
    const std::string error = load_error(kvt::test::write_tokenizer(dir, spec));
    CHECK(error == "[kvt.input.701] " + dir.file("tokenizer.json") +
                       ".added_tokens[0].id: token id 1099511627776 is out of "
                       "range (expected 0..1073741823)");
  }
  SECTION("a vocabulary id above 2^63 does not wrap negative") {
    json spec = base();
    spec["model"]["vocab"]["zz"] = uint64_t(1) << 63;
    TempDir dir;
    CHECK_THAT(load_error(kvt::test::write_tokenizer(dir, spec)), Catch::StartsWith("[kvt.input.701]") &&
                                                                      Catch::Contains("model.vocab[\"zz\"]") &&
                                                                      Catch::Contains("out of range"));
  }
  SECTION("post-processor ids, before and after the sequence") {
    json spec = base();
    spec["post_processor"] = {{"type", "TemplateProcessing"},
                              {"single", {{{"Sequence", {{"id", "A"}}}}, {{"SpecialToken", {{"id", "</s>"}}}}}},
                              {"special_tokens", {{"</s>", {{"id", "</s>"}, {"ids", {two_to_40 + 3}}}}}}};
    TempDir dir;
    CHECK_THAT(load_error(kvt::test::write_tokenizer(dir, spec)),
               Catch::Contains("special_tokens.</s>.ids[0]: token id 1099511627779 is out of range"));
    // Inside int32 but outside the vocabulary: the suffix is checked like the prefix.
    spec["post_processor"]["special_tokens"]["</s>"]["ids"] = {100000};
    TempDir dir2;
    CHECK_THAT(load_error(kvt::test::write_tokenizer(dir2, spec)),
               Catch::StartsWith("[kvt.input.702]") &&
                   Catch::Contains("post_processor uses id 100000 outside the vocabulary"));
  }
  SECTION("a Strip decoder's negative count") {
    json spec = base();
    spec["decoder"] = {{"type", "Strip"}, {"content", " "}, {"start", -1}, {"stop", 0}};
    TempDir dir;
    CHECK_THAT(load_error(kvt::test::write_tokenizer(dir, spec)),
               Catch::Contains("decoder.start: start -1 is out of range"));
  }
  SECTION("tokenizer_config.json added_tokens_decoder keys") {
    TempDir dir;
    dir.write("vocab.json", R"({"a": 0, "b": 1})");
    dir.write("merges.txt", "#version: 0.2\n");
    dir.write("tokenizer_config.json", R"({"added_tokens_decoder": {"4294967296": {"content": "<x>"}}})");
    CHECK_THAT(load_error(dir.path().string()),
               Catch::Contains("added_tokens_decoder[\"4294967296\"]: key is not a token id in 0..1073741823"));
  }
}

TEST_CASE("tokenizer fault: a tokenizer.json that is a FIFO or a directory is refused without blocking",
          "[lib][tokenizer]") {
  TempDir dir;
  REQUIRE(::mkfifo(dir.file("tokenizer.json").c_str(), 0600) == 0);
  CHECK(load_error(dir.path().string()) ==
        "[kvt.input.114] " + dir.file("tokenizer.json") + ": is not a regular file (a FIFO), expected a file");
  TempDir dir2;
  std::filesystem::create_directory(dir2.file("tokenizer.json"));
  CHECK(load_error(dir2.path().string()) ==
        "[kvt.input.114] " + dir2.file("tokenizer.json") + ": is a directory, expected a file");
}
