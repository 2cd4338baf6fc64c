// The BPE trainer against a slow direct re-implementation, and its tokenizer.json against the
// runtime tokenizer (lib/tokenizer): same ids, and decode(encode(x)) == x on the corpus.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "lib/core/error.h"
#include "lib/core/output.h"
#include "lib/tokenizer/byte_level.h"
#include "lib/tokenizer/tokenizer.h"
#include "lib/train/bpe_trainer.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

const char* const kSmallCorpus =
    "The lower the newer, the wider the lowest. Low, lower, lowest; new, newer, newest!\n"
    "  The hacker's hack: a kludge that works -- 42 times, 1999 ways.\n"
    "\"Quotes\" and ‘curly quotes’ and dashes — and naïve café résumé ☺ 日本語.\n"
    "tab\tseparated\tvalues\n\n\nthree newlines    four spaces.";

// Direct BPE: recount every pair over every word after each merge.
std::vector<std::pair<std::string, std::string>> slow_bpe(const std::vector<std::string>& texts, int merges) {
  kvt::tok::RegexPreTokenizer pre(kvt::tok::kGpt2Pattern);
  std::map<std::string, int64_t> counts;
  for (const auto& t : texts)
    for (const auto& piece : pre.split(t)) ++counts[piece];
  std::vector<std::pair<std::vector<std::string>, int64_t>> words;
  for (const auto& [piece, n] : counts) {
    std::vector<std::string> symbols;
    for (char c : piece) symbols.push_back(std::string(1, c));
    words.emplace_back(symbols, n);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (int m = 0; m < merges; ++m) {
    std::map<std::pair<std::string, std::string>, int64_t> pairs;  // ordered: ties → smallest pair
    for (const auto& [symbols, n] : words)
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pairs[{symbols[i], symbols[i + 1]}] += n;
    if (pairs.empty()) break;
    auto best = pairs.begin();
    for (auto it = pairs.begin(); it != pairs.end(); ++it)
      if (it->second > best->second) best = it;
    if (best->second < 2) break;
    out.push_back(best->first);
    for (auto& [symbols, n] : words) {
      std::vector<std::string> merged;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == best->first.first && symbols[i + 1] == best->first.second) {
          merged.push_back(symbols[i] + symbols[i + 1]);
          ++i;
        } else {
          merged.push_back(symbols[i]);
        }
      }
      symbols = merged;
    }
  }
  return out;
}

std::vector<std::string> corpus_texts() {
  std::vector<std::string> texts = {kSmallCorpus};
  // Debian's fortunes-min, installed by scripts/install-deps.sh: a missing file fails the test.
  for (const char* path : {"/usr/share/games/fortunes/riddles", "/usr/share/games/fortunes/literature"}) {
    INFO(path << " (package fortunes-min; run scripts/install-deps.sh)");
    REQUIRE(std::filesystem::is_regular_file(path));
    texts.push_back(read_file(path));
  }
  return texts;
}

}  // namespace

TEST_CASE("BPE merges equal a direct recount after every merge", "[lib][train]") {
  std::vector<std::string> texts = {kSmallCorpus, kSmallCorpus + std::string(" lowering the newest widest"),
                                    "aaaa aaa aa a bbbb abab baba"};
  train::BpeTrainOptions options;
  options.vocab_size = 256 + 60 + 1;
  train::BpeVocabulary vocab = train::train_bpe(texts, options);
  auto expected = slow_bpe(texts, 60);
  REQUIRE(vocab.merges.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("merge " << i);
    CHECK(vocab.token_bytes[vocab.merges[i].first] == expected[i].first);
    CHECK(vocab.token_bytes[vocab.merges[i].second] == expected[i].second);
  }
  CHECK(vocab.end_of_text_id == vocab.size() - 1);
  CHECK(vocab.token_bytes.back() == "<|endoftext|>");
}

TEST_CASE("BPE training is deterministic and stops at the vocabulary size", "[lib][train]") {
  train::BpeTrainOptions options;
  options.vocab_size = 400;
  auto a = train::train_bpe(corpus_texts(), options);
  auto b = train::train_bpe(corpus_texts(), options);
  CHECK(a.size() == 400);
  CHECK(a.merges == b.merges);
  CHECK(train::tokenizer_json(a).dump() == train::tokenizer_json(b).dump());
  options.vocab_size = 100;
  CHECK_THROWS_WITH(train::train_bpe(corpus_texts(), options), Catch::Contains("--vocab-size"));
}

TEST_CASE("trained tokenizer.json loads in kvt::tok and round-trips the corpus", "[lib][train]") {
  auto texts = corpus_texts();
  train::BpeTrainOptions options;
  options.vocab_size = 600;
  train::BpeVocabulary vocab = train::train_bpe(texts, options);
  std::string dir = test::fresh_test_dir("train_bpe_tokenizer");
  write_file_atomic(dir + "/tokenizer.json", train::tokenizer_json(vocab).dump(2), true);
  write_file_atomic(dir + "/tokenizer_config.json", train::tokenizer_config_json(vocab, 256).dump(2), true);

  auto tokenizer = kvt::tok::Tokenizer::load(dir);
  train::BpeEncoder encoder(vocab);
  CHECK(tokenizer.vocab_size() == 600);
  CHECK(tokenizer.bos_id() == vocab.end_of_text_id);
  CHECK(tokenizer.eos_id() == vocab.end_of_text_id);
  for (const auto& text : texts) {
    std::vector<int64_t> ids = tokenizer.encode(text, false);
    CHECK(ids == encoder.encode(text));  // the trainer's own encoder agrees with the runtime tokenizer
    CHECK(tokenizer.decode(ids) == text);
    CHECK(encoder.decode(ids) == text);
    CHECK(ids.size() < text.size());  // merges were learned and used
    std::vector<int64_t> with_bos = tokenizer.encode(text, true);
    REQUIRE(!with_bos.empty());
    CHECK(with_bos.front() == vocab.end_of_text_id);
  }
  // The special token written in text is one id, as in Hugging Face.
  CHECK(tokenizer.encode("a<|endoftext|>b", false) ==
        std::vector<int64_t>{encoder.encode("a")[0], vocab.end_of_text_id, encoder.encode("b")[0]});
}
