// Tests for lib/tokenizer on small hand-built tokenizer.json files: merge order against a slow
// reference BPE, byte fallback, unk fusing, added tokens, BOS rules, the vocab.json + merges.txt form.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <thread>

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer.h"
#include "tests/lib/tokenizer/tokenizer_fixtures.h"

using kvt::test::TempDir;
using kvt::tok::Tokenizer;
using Ids = std::vector<int64_t>;
using nlohmann::json;

namespace {

const std::string kMeta = "\xE2\x96\x81";  // ▁

// Straightforward BPE: repeatedly merge the leftmost adjacent pair with the lowest rank.
std::vector<std::string> reference_bpe(const std::string& word,
                                       const std::map<std::pair<std::string, std::string>, int>& ranks) {
  std::vector<std::string> symbols;
  for (char c : word) symbols.push_back(std::string(1, c));
  while (true) {
    int best_rank = -1;
    size_t best = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks.find({symbols[i], symbols[i + 1]});
      if (it != ranks.end() && (best_rank < 0 || it->second < best_rank)) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best_rank < 0) return symbols;
    symbols[best] += symbols[best + 1];
    symbols.erase(symbols.begin() + long(best) + 1);
  }
}

}  // namespace

TEST_CASE("merges apply by rank, not by position", "[lib][tokenizer]") {
  TempDir dir;
  // ids: bytes 0..255 (so 'a' = 97), then "bc" = 256, "ab" = 257, "abc" = 258.
  auto tok = Tokenizer::load(
      kvt::test::write_tokenizer(dir, kvt::test::byte_level_tokenizer_json({{"b", "c"}, {"a", "b"}, {"a", "bc"}})));
  CHECK(tok.encode("abc", false) == Ids{258});  // b+c (rank 0) first, then a+bc; "ab c" would be wrong
  CHECK(tok.encode("abab", false) == Ids{257, 257});
  CHECK(tok.encode("cab", false) == Ids{99, 257});
  CHECK(tok.encode("x abc", false) == Ids{120, 32, 258});  // " abc" has no merge with the space
  CHECK(tok.vocab_size() == 259);
  CHECK(tok.bos_id() == -1);
  CHECK(tok.decode({258, 32, 257}) == "abc ab");
}

TEST_CASE("random merge tables agree with a slow reference BPE, short and long words", "[lib][tokenizer]") {
  std::mt19937 rng(7);
  for (int table = 0; table < 5; ++table) {
    std::vector<std::string> tokens = {"a", "b", "c", "d"};
    std::vector<std::pair<std::string, std::string>> merges;
    std::map<std::pair<std::string, std::string>, int> ranks;
    while (merges.size() < 40) {
      const std::string& l = tokens[rng() % tokens.size()];
      const std::string& r = tokens[rng() % tokens.size()];
      if (ranks.count({l, r}) || l.size() + r.size() > 8) continue;
      ranks[{l, r}] = int(merges.size());
      merges.emplace_back(l, r);
      if (std::find(tokens.begin(), tokens.end(), l + r) == tokens.end()) tokens.push_back(l + r);
    }
    TempDir dir;
    json spec = kvt::test::byte_level_tokenizer_json(merges);
    auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
    for (int trial = 0; trial < 200; ++trial) {
      std::string word;
      size_t length = 1 + rng() % (trial % 2 ? 80 : 20);  // beyond 24 symbols the heap path runs
      for (size_t i = 0; i < length; ++i) word.push_back(char('a' + rng() % 4));
      Ids expected;
      for (const auto& piece : reference_bpe(word, ranks))
        expected.push_back(spec["model"]["vocab"][piece].get<int64_t>());
      INFO("table " << table << " word " << word);
      REQUIRE(tok.encode(word, false) == expected);
      REQUIRE(tok.decode(expected) == word);
    }
  }
}

TEST_CASE("merges may be \"a b\" strings or [\"a\", \"b\"] arrays", "[lib][tokenizer]") {
  json strings = kvt::test::byte_level_tokenizer_json({{"t", "h"}, {"th", "e"}, {" ", "the"}});
  json arrays = strings;
  arrays["model"]["merges"] = json::array();
  for (const auto& m : strings["model"]["merges"]) {
    std::string s = m.get<std::string>();
    arrays["model"]["merges"].push_back({s.substr(0, s.find(' ')), s.substr(s.find(' ') + 1)});
  }
  TempDir a, b;
  auto from_strings = Tokenizer::load(kvt::test::write_tokenizer(a, strings));
  auto from_arrays = Tokenizer::load(kvt::test::write_tokenizer(b, arrays));
  const std::string text = "the theme of the other thesis";
  CHECK(from_strings.encode(text, false) == from_arrays.encode(text, false));
  CHECK(from_strings.encode("the", false) == Ids{257});
  CHECK(from_strings.encode(" the", false) == Ids{258});
}

TEST_CASE("SentencePiece-style BPE: metaspace, byte fallback, BOS and decoding", "[lib][tokenizer]") {
  // ids: 259 "▁", 260 "a", 261 "b", 262 "▁a", 263 "ab", 264 "▁ab".
  const std::vector<std::string> pieces = {kMeta, "a", "b", kMeta + "a", "ab", kMeta + "ab"};
  const std::vector<std::pair<std::string, std::string>> merges = {{kMeta, "a"}, {"a", "b"}, {kMeta + "a", "b"}};
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, kvt::test::sentencepiece_tokenizer_json(pieces, merges)));
  // "ab ä" → "▁ab▁ä": ▁+a (rank 0) then ▁a+b (rank 2); ä is not a piece: its UTF-8 bytes C3 A4.
  const Ids ids = {1, 264, 259, 3 + 0xC3, 3 + 0xA4};
  CHECK(tok.encode("ab ä", true) == ids);
  CHECK(tok.encode("ab ä", false) == Ids(ids.begin() + 1, ids.end()));
  CHECK(tok.bos_id() == 1);
  CHECK(tok.adds_bos());
  CHECK(tok.decode(ids) == "<s> ab ä");
  CHECK(tok.decode(ids, true) == "ab ä");
  CHECK(tok.encode("  a", false) == Ids{259, 259, 262});  // runs of ▁ stay apart without a "▁ ▁" merge
  CHECK(tok.decode({259, 259, 262}) == "  a");
  CHECK(tok.decode({3 + 0xC3}) == "\xEF\xBF\xBD");  // a lone lead byte decodes to U+FFFD
  // The text's own "<s>" is the special token; the text after it gets its own ▁, as in Hugging Face.
  CHECK(tok.encode("a<s>b", false) == Ids{262, 1, 259, 261});
}

TEST_CASE("without byte fallback unknown characters become <unk>, fused when fuse_unk", "[lib][tokenizer]") {
  const std::vector<std::string> pieces = {kMeta, "a", "b", kMeta + "a"};
  json spec = kvt::test::sentencepiece_tokenizer_json(pieces, {{kMeta, "a"}}, false);
  TempDir fused_dir, plain_dir;
  auto fused = Tokenizer::load(kvt::test::write_tokenizer(fused_dir, spec));
  spec["model"]["fuse_unk"] = false;
  auto plain = Tokenizer::load(kvt::test::write_tokenizer(plain_dir, spec));
  CHECK(fused.encode("aäöb", false) == Ids{262, 0, 261});
  CHECK(plain.encode("aäöb", false) == Ids{262, 0, 0, 261});
  CHECK(fused.unk_id() == 0);
}

TEST_CASE("added tokens are matched before BPE: longest first, lstrip/rstrip, normalized", "[lib][tokenizer]") {
  json spec = kvt::test::byte_level_tokenizer_json({});
  auto added = [](int id, const char* content, bool special, bool lstrip, bool rstrip, bool normalized) {
    return json{{"id", id},         {"content", content},       {"single_word", false}, {"lstrip", lstrip},
                {"rstrip", rstrip}, {"normalized", normalized}, {"special", special}};
  };
  spec["added_tokens"] = {added(300, "<|x|>", true, false, false, false),
                          added(301, "<|xy|>", true, false, false, false), added(302, "[L]", true, true, false, false),
                          added(303, "[R]", true, false, true, false),
                          added(304, "\xC3\xA9", false, false, false, true)};  // "é", matched after NFC
  spec["normalizer"] = {{"type", "NFC"}};
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
  CHECK(tok.encode("a<|xy|>b", false) == Ids{97, 301, 98});
  CHECK(tok.encode("a<|x|>", false) == Ids{97, 300});
  CHECK(tok.encode("<|x|", false) == Ids{60, 124, 120, 124});  // incomplete: plain text
  CHECK(tok.encode("a  [L]b", false) == Ids{97, 302, 98});
  CHECK(tok.encode("a[R] \n b", false) == Ids{97, 303, 98});
  CHECK(tok.encode("e\xCC\x81", false) == Ids{304});  // e + combining acute → NFC é → the added token
  CHECK(tok.vocab_size() == 305);
  CHECK(tok.token_to_id("<|xy|>") == 301);
  CHECK(tok.id_to_token(301) == "<|xy|>");
  CHECK(tok.decode({97, 300, 304}) == "a<|x|>\xC3\xA9");
  CHECK(tok.decode({97, 300, 304}, true) == "a\xC3\xA9");  // only special tokens are skipped
}

TEST_CASE("tokenizer_config.json decides BOS/EOS over the post-processor template", "[lib][tokenizer]") {
  json spec = kvt::test::sentencepiece_tokenizer_json({kMeta, "a"}, {});
  SECTION("template only") {
    TempDir dir;
    auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
    CHECK(tok.encode("a", true) == Ids{1, 259, 260});
  }
  SECTION("add_bos_token false, add_eos_token true") {
    TempDir dir;
    auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec,
                                                          {{"add_bos_token", false},
                                                           {"add_eos_token", true},
                                                           {"bos_token", "<s>"},
                                                           {"eos_token", {{"content", "</s>"}}}}));
    CHECK(tok.encode("a", true) == Ids{259, 260, 2});
    CHECK(tok.eos_id() == 2);
    CHECK_FALSE(tok.adds_bos());
  }
  SECTION("add_bos_token without a bos_token is an error naming the field") {
    TempDir dir;
    json no_template = spec;
    no_template["post_processor"] = nullptr;
    REQUIRE_THROWS_WITH(Tokenizer::load(kvt::test::write_tokenizer(dir, no_template, {{"add_bos_token", true}})),
                        Catch::Contains("add_bos_token") && Catch::Contains("bos_token is not set"));
  }
}

TEST_CASE("GPT-2's vocab.json + merges.txt form encodes like the equivalent tokenizer.json", "[lib][tokenizer]") {
  json spec = kvt::test::byte_level_tokenizer_json({{"t", "h"}, {"th", "e"}, {" ", "the"}, {"e", "r"}});
  TempDir json_dir, vocab_dir, openai_dir;
  auto from_json = Tokenizer::load(kvt::test::write_tokenizer(json_dir, spec));
  std::string merges = "#version: 0.2\n";
  for (const auto& m : spec["model"]["merges"]) merges += m.get<std::string>() + "\n";
  vocab_dir.write("vocab.json", spec["model"]["vocab"].dump());
  vocab_dir.write("merges.txt", merges);
  openai_dir.write("encoder.json", spec["model"]["vocab"].dump());
  openai_dir.write("vocab.bpe", merges);
  auto from_vocab = Tokenizer::load(vocab_dir.path().string());
  auto from_openai = Tokenizer::load(openai_dir.path().string());
  for (const std::string text : {"the other thermometer", "  there\n\nthe end 123", "日本 the"}) {
    CHECK(from_vocab.encode(text, true) == from_json.encode(text, true));
    CHECK(from_openai.encode(text, true) == from_json.encode(text, true));
    CHECK(from_vocab.decode(from_vocab.encode(text, false)) == text);
  }
  CHECK(from_vocab.bos_id() == -1);
  CHECK(from_vocab.source_path() == vocab_dir.file("vocab.json"));
}

TEST_CASE("Split pre-tokenizer behaviours and invert", "[lib][tokenizer]") {
  // Pieces from the huggingface/tokenizers documentation of SplitDelimiterBehavior ("the-final--countdown").
  const std::vector<std::pair<const char*, std::vector<std::string>>> cases = {
      {"Removed", {"the", "final", "countdown"}},
      {"Isolated", {"the", "-", "final", "-", "-", "countdown"}},
      {"MergedWithPrevious", {"the-", "final-", "-", "countdown"}},
      {"MergedWithNext", {"the", "-final", "-", "-countdown"}},
      {"Contiguous", {"the", "-", "final", "--", "countdown"}},
  };
  for (const auto& [behavior, pieces] : cases) {
    json split = {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", false}};
    json spec = kvt::test::byte_level_tokenizer_json(
        {}, {{"type", "Sequence"},
             {"pretokenizers", {split, {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}});
    // One merge per expected piece of 2+ characters would be needed to see pieces through ids; instead
    // give every expected piece a whole-word vocab entry and turn on ignore_merges.
    int next = 256;
    for (const auto& piece : pieces)
      if (piece.size() > 1 && !spec["model"]["vocab"].contains(piece)) spec["model"]["vocab"][piece] = next++;
    spec["model"]["ignore_merges"] = true;
    TempDir dir;
    auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
    Ids expected;
    for (const auto& piece : pieces) expected.push_back(spec["model"]["vocab"][piece].get<int64_t>());
    INFO(behavior);
    CHECK(tok.encode("the-final--countdown", false) == expected);
  }
  // invert: the matches are the pieces and the rest are delimiters.
  json split = {{"type", "Split"}, {"pattern", {{"Regex", "[a-z]+"}}}, {"behavior", "Removed"}, {"invert", true}};
  json spec = kvt::test::byte_level_tokenizer_json({{"a", "b"}}, split);
  spec["decoder"] = nullptr;
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
  CHECK(tok.encode("ab, b!", false) == Ids{256, 98});
}

TEST_CASE("Metaspace pre-tokenizer: prepend_scheme and split", "[lib][tokenizer]") {
  // ids: 259 ▁, 260 a, 261 b, 262 ▁a, 263 ▁b, 264 a▁
  const std::vector<std::string> pieces = {kMeta, "a", "b", kMeta + "a", kMeta + "b", "a" + kMeta};
  json spec = kvt::test::sentencepiece_tokenizer_json(pieces, {{kMeta, "a"}, {"a", kMeta}, {kMeta, "b"}});
  spec["normalizer"] = nullptr;
  auto load = [&](const TempDir& dir, const char* scheme, bool split) {
    spec["pre_tokenizer"] = {
        {"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", scheme}, {"split", split}};
    return Tokenizer::load(kvt::test::write_tokenizer(dir, spec));
  };
  TempDir d1, d2, d3, d4;
  auto first = load(d1, "first", false);
  CHECK(first.encode("a b", false) == Ids{262, 263});  // "▁a▁b"
  CHECK(first.encode("<s>a", false) == Ids{1, 260});   // not at the start of the text: no ▁
  auto always = load(d2, "always", false);
  CHECK(always.encode("<s>a", false) == Ids{1, 262});
  auto never = load(d3, "never", false);
  CHECK(never.encode("a b", false) == Ids{264, 261});  // "a▁b": a+▁ (rank 1) before ▁+b (rank 2)
  auto split = load(d4, "never", true);
  CHECK(split.encode("a b", false) == Ids{260, 263});  // words "a", "▁b": a▁ cannot form across them
}

TEST_CASE("byte-level decoding restores bytes and replaces partial characters", "[lib][tokenizer]") {
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(dir, kvt::test::byte_level_tokenizer_json({})));
  const std::string text = "Grüße, 世界! 🎉\n\ttab";
  CHECK(tok.decode(tok.encode(text, false)) == text);
  Ids partial = tok.encode("\xE4\xB8\x96", false);  // 世 = E4 B8 96
  REQUIRE(partial.size() == 3);
  CHECK(tok.decode({partial[0], partial[1]}) == "\xEF\xBF\xBD");  // one maximal subpart
  CHECK(tok.decode({partial[0], 'x', partial[1]}) == "\xEF\xBF\xBDx\xEF\xBF\xBD");
}

TEST_CASE("encode is thread-safe: concurrent calls give the single-threaded ids", "[lib][tokenizer]") {
  TempDir dir;
  auto tok = Tokenizer::load(kvt::test::write_tokenizer(
      dir, kvt::test::byte_level_tokenizer_json({{"t", "h"}, {"th", "e"}, {" ", "the"}, {"e", "r"}, {"i", "n"}})));
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i)
    texts.push_back("the other " + std::to_string(i * 7919) + " thing in there, word" + std::to_string(i % 13));
  std::vector<Ids> expected;
  for (const auto& t : texts) expected.push_back(tok.encode(t, false));
  TempDir fresh_dir;  // a second tokenizer with an empty cache, filled concurrently
  auto fresh = Tokenizer::load(kvt::test::write_tokenizer(
      fresh_dir,
      kvt::test::byte_level_tokenizer_json({{"t", "h"}, {"th", "e"}, {" ", "the"}, {"e", "r"}, {"i", "n"}})));
  std::vector<std::vector<Ids>> results(4, std::vector<Ids>(texts.size()));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < texts.size(); ++i)
        results[t][(i + t * 50) % texts.size()] = fresh.encode(texts[(i + t * 50) % texts.size()], false);
    });
  for (auto& th : threads) th.join();
  for (const auto& r : results) CHECK(r == expected);
}
