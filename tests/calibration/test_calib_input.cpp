// Tests for calibration/input: the .txt / .jsonl / directory / token-id forms, selection rules, the
// content hash, and every error.
#include <catch2/catch.hpp>

#include "calibration/input/calibration_set.h"
#include "lib/core/error.h"
#include "tests/lib/tokenizer/tokenizer_fixtures.h"
#include "tests/support/error_text.h"

using kvt::calib::CalibOptions;
using kvt::test::TempDir;
using kvt::tok::Tokenizer;
using Ids = std::vector<int64_t>;

namespace {

// Byte-level fixture: ids are bytes, plus "th" = 256, "the" = 257; no BOS.
Tokenizer fixture_tokenizer(const TempDir& dir) {
  return Tokenizer::load(
      kvt::test::write_tokenizer(dir, kvt::test::byte_level_tokenizer_json({{"t", "h"}, {"th", "e"}})));
}

// FNV-1a 64 written out here, independent of lib/core/hash.
std::string fnv_reference(const std::vector<Ids>& prompts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto feed = [&](int64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      h ^= uint64_t(value >> (8 * byte)) & 0xFF;
      h *= 0x100000001b3ULL;
    }
  };
  for (const auto& p : prompts) {
    feed(int64_t(p.size()));
    for (int64_t id : p) feed(id);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

using kvt::test::error_of;

}  // namespace

TEST_CASE(".txt: documents are separated by blank lines", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  const std::string path = dir.write("c.txt", "the first\nline two\n\n  \t \r\nthird doc\r\nend\r\n\n\n\nlast");
  auto set = kvt::calib::load_calibration(path, tok, {}, 0);
  REQUIRE(set.prompts.size() == 3);
  CHECK(set.prompts[0] == tok.encode("the first\nline two", true));
  CHECK(set.prompts[1] == tok.encode("third doc\nend", true));
  CHECK(set.prompts[2] == tok.encode("last", true));
  CHECK(set.prompts[0][0] == 257);  // "the" merged: the tokenizer really ran
  CHECK(set.documents == 3);
  CHECK(set.source == path);
  CHECK(set.hash == fnv_reference(set.prompts));
}

TEST_CASE(".jsonl: a chosen field, or GSM8K question/answer records", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  const std::string path = dir.write("c.jsonl",
                                     "{\"text\": \"alpha\", \"body\": \"one\"}\n\n"
                                     "{\"question\": \"2+2?\", \"answer\": \"4\\n#### 4\", \"body\": \"two\"}\n");
  auto set = kvt::calib::load_calibration(path, tok, {}, 0);
  REQUIRE(set.prompts.size() == 2);
  CHECK(set.prompts[0] == tok.encode("alpha", true));
  CHECK(set.prompts[1] == tok.encode("Question: 2+2?\nAnswer: 4\n#### 4", true));
  CalibOptions body;
  body.field = "body";
  auto by_field = kvt::calib::load_calibration(path, tok, body, 0);
  CHECK(by_field.prompts == std::vector<Ids>{tok.encode("one", true), tok.encode("two", true)});
  CalibOptions missing;
  missing.field = "prompt";
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(path, tok, missing, 0); }),
             Catch::Contains("[kvt.input.723]") && Catch::Contains("c.jsonl:1") && Catch::Contains("\"prompt\""));
}

TEST_CASE("a directory: one document per .txt file, by name", "[calibration]") {
  TempDir dir, data;
  auto tok = fixture_tokenizer(dir);
  data.write("b.txt", "second\n\nstill second\n");
  data.write("a.txt", "\nfirst\r\n");
  data.write("notes.md", "ignored");
  auto set = kvt::calib::load_calibration(data.path().string(), tok, {}, 0);
  CHECK(set.prompts == std::vector<Ids>{tok.encode("first", true), tok.encode("second\n\nstill second", true)});
  TempDir empty;
  empty.write("x.md", "no txt here");
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(empty.path().string(), tok, {}, 0); }),
             Catch::Contains("[kvt.input.721]") && Catch::Contains("no .txt files"));
}

TEST_CASE("num_prompts, max_tokens, min_tokens and max_position_embeddings", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  // Token counts: "abcdefghij" 10, "ab" 2, "abcdef" 6, "abcdefgh" 8.
  const std::string path = dir.write("c.txt", "abcdefghij\n\nab\n\nabcdef\n\nabcdefgh\n");
  CalibOptions options;
  options.min_tokens = 3;
  options.num_prompts = 2;
  auto set = kvt::calib::load_calibration(path, tok, options, 0);
  CHECK(set.prompts == std::vector<Ids>{tok.encode("abcdefghij", true), tok.encode("abcdef", true)});
  CHECK(set.dropped_short == 1);
  options = {};
  options.max_tokens = 5;
  set = kvt::calib::load_calibration(path, tok, options, 0);
  CHECK(set.prompts ==
        std::vector<Ids>{{97, 98, 99, 100, 101}, {97, 98}, {97, 98, 99, 100, 101}, {97, 98, 99, 100, 101}});
  CHECK(set.truncated == 0);
  set = kvt::calib::load_calibration(path, tok, {}, 7);  // the model's limit: truncated with a warning
  CHECK(set.truncated == 2);
  CHECK(set.prompts[0].size() == 7);
  CHECK(set.prompts[2].size() == 6);
  options = {};
  options.min_tokens = 11;
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(path, tok, options, 0); }),
             Catch::Contains("[kvt.input.721]") && Catch::Contains("4 read, 4 shorter than --min-tokens 11"));
}

TEST_CASE("long prompts: split into the fewest even pieces, or truncated", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  // Token counts: "abcdefghij" 10, "ab" 2; the model's context is 4.
  const std::string path = dir.write("c.txt", "abcdefghij\n\nab\n");
  CalibOptions options;
  options.long_prompts = "split";
  auto set = kvt::calib::load_calibration(path, tok, options, 4);
  // 10 tokens → ceil(10/4) = 3 pieces of 4, 3, 3 (the longer first), in order, nothing lost.
  CHECK(set.prompts == std::vector<Ids>{{97, 98, 99, 100}, {101, 102, 103}, {104, 105, 106}, {97, 98}});
  CHECK(set.split == 1);
  CHECK(set.truncated == 0);
  options.num_prompts = 2;  // pieces count as prompts
  CHECK(kvt::calib::load_calibration(path, tok, options, 4).prompts.size() == 2);
  options = {};
  options.long_prompts = "split";
  options.min_tokens = 4;  // the 3-token pieces and "ab" are dropped
  set = kvt::calib::load_calibration(path, tok, options, 4);
  CHECK(set.prompts == std::vector<Ids>{{97, 98, 99, 100}});
  CHECK(set.dropped_short == 3);
  // Your own data is truncated by default (with a warning), as with "truncate".
  for (const std::string mode : {"", "truncate"}) {
    options = {};
    options.long_prompts = mode;
    set = kvt::calib::load_calibration(path, tok, options, 4);
    CHECK(set.prompts == std::vector<Ids>{{97, 98, 99, 100}, {97, 98}});
    CHECK(set.truncated == 1);
    CHECK(set.split == 0);
  }
  options.long_prompts = "wrap";
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(path, tok, options, 4); }),
             Catch::Contains("[kvt.input.724]") && Catch::Contains("--long-prompts must be split or truncate"));
}

TEST_CASE("the bundled set is split to fit the model's context, keeping every token", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  const int64_t vocab = int64_t(tok.vocab_size());
  auto whole = kvt::calib::load_prompts({}, &tok, 0, vocab);  // no context limit: one prompt per document
  auto fitted = kvt::calib::load_prompts({}, &tok, 256, vocab);
  CHECK(fitted.truncated == 0);
  CHECK(fitted.split > 0);  // the bundled documents are longer than 256 bytes
  CHECK(fitted.prompts.size() > whole.prompts.size());
  Ids all_whole, all_fitted;
  for (const auto& p : whole.prompts) all_whole.insert(all_whole.end(), p.begin(), p.end());
  for (const auto& p : fitted.prompts) {
    CHECK(p.size() <= 256);
    all_fitted.insert(all_fitted.end(), p.begin(), p.end());
  }
  CHECK(all_fitted == all_whole);
  CalibOptions options;
  options.long_prompts = "truncate";
  auto truncated = kvt::calib::load_prompts(options, &tok, 256, vocab);
  CHECK(truncated.truncated == fitted.split);
  CHECK(truncated.prompts.size() == whole.prompts.size());
}

TEST_CASE("a few-shot template wraps every document", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  const std::string path = dir.write("c.txt", "x\n\ny\n");
  CalibOptions options;
  options.template_path = dir.write("t.txt", "Q: 1+1?\nA: 2\n\nQ: {text}\nA:\n");
  auto set = kvt::calib::load_calibration(path, tok, options, 0);
  CHECK(set.prompts ==
        std::vector<Ids>{tok.encode("Q: 1+1?\nA: 2\n\nQ: x\nA:", true), tok.encode("Q: 1+1?\nA: 2\n\nQ: y\nA:", true)});
  options.template_path = dir.file("missing-template.txt");
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(path, tok, options, 0); }),
             Catch::Contains("[kvt.input.720]") && Catch::Contains("missing-template.txt"));
  options.template_path = dir.write("bad.txt", "no placeholder");
  CHECK_THAT(error_of([&] { kvt::calib::load_calibration(path, tok, options, 0); }),
             Catch::Contains("[kvt.input.726]") && Catch::Contains("bad.txt"));
}

TEST_CASE("the content hash identifies the tokenized set", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  auto a = kvt::calib::load_calibration(dir.write("a.txt", "the cat\n\nthe dog\n"), tok, {}, 0);
  auto b = kvt::calib::load_calibration(dir.write("b.jsonl", "{\"text\": \"the cat\"}\n{\"text\": \"the dog\"}\n"), tok,
                                        {}, 0);
  auto c = kvt::calib::load_calibration(dir.write("c.txt", "the cat\n\nthe dot\n"), tok, {}, 0);
  CHECK(a.hash == b.hash);  // same ids from a different file form
  CHECK(a.hash != c.hash);
  CHECK(a.hash.size() == 16);
  CHECK(kvt::calib::content_hash({{1, 2}, {3}}) != kvt::calib::content_hash({{1}, {2, 3}}));  // lengths count
  CHECK(kvt::calib::content_hash({{1, 2}, {3}}) == fnv_reference({{1, 2}, {3}}));
}

TEST_CASE("token-id files: same rules, ids checked against the vocabulary", "[calibration]") {
  TempDir dir;
  const std::string path = dir.write("ids.jsonl", "[1, 2, 3]\n\n[4, 5]\r\n[6]\n");
  CalibOptions options;
  options.min_tokens = 2;
  auto set = kvt::calib::load_token_ids(path, options, 0, 10);
  CHECK(set.prompts == std::vector<Ids>{{1, 2, 3}, {4, 5}});
  CHECK(set.hash == fnv_reference(set.prompts));
  CHECK_THAT(error_of([&] { kvt::calib::load_token_ids(path, {}, 0, 6); }), Catch::Contains("[kvt.input.725]") &&
                                                                                Catch::Contains("ids.jsonl:4") &&
                                                                                Catch::Contains("vocabulary (size 6)"));
  CHECK_THAT(error_of([&] { kvt::calib::load_token_ids(dir.write("o.jsonl", "{\"ids\": [1]}\n"), {}, 0, 0); }),
             Catch::Contains("o.jsonl:1") && Catch::Contains("array of token ids"));
  CHECK_THAT(error_of([&] { kvt::calib::load_token_ids(dir.write("n.jsonl", "[1, -2]\n"), {}, 0, 0); }),
             Catch::Contains("-2"));
  CHECK_THAT(error_of([&] { kvt::calib::load_token_ids(dir.write("e.jsonl", "\n\n"), {}, 0, 0); }),
             Catch::Contains("[kvt.input.721]"));
  options = {};
  options.ids_path = path;
  options.max_tokens = 2;
  auto via_prompts = kvt::calib::load_prompts(options, nullptr, 0, 0);
  CHECK(via_prompts.prompts == std::vector<Ids>{{1, 2}, {4, 5}, {6}});
}

TEST_CASE("load_prompts defaults to the bundled calibration set", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  CalibOptions options;
  options.num_prompts = 8;
  options.max_tokens = 64;
  auto set = kvt::calib::load_prompts(options, &tok, 2048, int64_t(tok.vocab_size()));
  CHECK(set.source == kvt::calib::default_calibration_path());
  CHECK(set.prompts.size() == 8);
  for (const auto& p : set.prompts) CHECK(p.size() == 64);  // the bundled documents are longer than 64 bytes
  CHECK_THAT(error_of([&] { kvt::calib::load_prompts({}, nullptr, 0, 0); }),
             Catch::Contains("[kvt.input.724]") && Catch::Contains("tokenizer"));
}

TEST_CASE("bad calibration input is a clear error", "[calibration]") {
  TempDir dir;
  auto tok = fixture_tokenizer(dir);
  auto load = [&](const std::string& path, CalibOptions options = {}) {
    return error_of([&] { kvt::calib::load_calibration(path, tok, options, 0); });
  };
  CHECK_THAT(load(dir.file("missing.txt")), Catch::Contains("[kvt.input.720]") && Catch::Contains("missing.txt"));
  CHECK_THAT(load(dir.write("x.json", "[\"a\"]")), Catch::Contains("[kvt.input.720]") && Catch::Contains(".jsonl"));
  CHECK_THAT(load(dir.write("empty.txt", "\n \n\t\n")),
             Catch::Contains("[kvt.input.721]") && Catch::Contains("holds no text"));
  CHECK_THAT(load(dir.write("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \n")),
             Catch::Contains("[kvt.input.722]") && Catch::Contains("bad.jsonl:2"));
  CHECK_THAT(load(dir.write("arr.jsonl", "[\"text\"]\n")),
             Catch::Contains("[kvt.input.722]") && Catch::Contains("object"));
  CHECK_THAT(load(dir.write("num.jsonl", "{\"text\": 5}\n")),
             Catch::Contains("[kvt.input.723]") && Catch::Contains("not a string"));
  CHECK_THAT(load(dir.write("latin1.txt", "ok\n\ncaf\xE9\n")),
             Catch::Contains("[kvt.input.727]") && Catch::Contains("document 1") && Catch::Contains("UTF-8"));
  CalibOptions options;
  options.num_prompts = -1;
  CHECK_THAT(load(dir.write("fine.txt", "abc"), options),
             Catch::Contains("[kvt.input.724]") && Catch::Contains("--num-prompts"));
  options = {};
  options.min_tokens = 9;
  options.max_tokens = 4;
  CHECK_THAT(load(dir.file("fine.txt"), options), Catch::Contains("--min-tokens (9) exceeds --max-tokens (4)"));
  options = {};
  options.calib_path = "a.txt";
  options.ids_path = "b.jsonl";
  CHECK_THAT(error_of([&] { kvt::calib::validate(options); }), Catch::Contains("--calib and --ids"));
}
