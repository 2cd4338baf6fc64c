// Tests for lib/tokenizer/byte_level.cpp: GPT-2's byte map and the PCRE2 pre-tokenizer.
#include <catch2/catch.hpp>

#include <set>

#include "lib/core/error.h"
#include "lib/tokenizer/byte_level.h"

using kvt::tok::RegexPreTokenizer;

TEST_CASE("byte_to_unicode follows GPT-2's bytes_to_unicode", "[lib][tokenizer]") {
  const auto& map = kvt::tok::byte_to_unicode();
  // Values from openai/gpt-2 encoder.py: printable bytes map to themselves, the rest to U+0100.. in order.
  CHECK(map['A'] == "A");
  CHECK(map['!'] == "!");
  CHECK(map[0xE9] == "\xC3\xA9");  // é stays é
  CHECK(map[0] == "\xC4\x80");     // U+0100
  CHECK(map[' '] == "\xC4\xA0");   // Ġ U+0120
  CHECK(map['\n'] == "\xC4\x8A");  // Ċ U+010A
  CHECK(map[0xAD] == "\xC5\x83");  // soft hyphen is the last extra: U+0143
  std::set<std::string> distinct(map.begin(), map.end());
  CHECK(distinct.size() == 256);
  for (int b = 0; b < 256; ++b) {
    std::string one(1, char(b));
    REQUIRE(kvt::tok::unicode_text_to_bytes(kvt::tok::bytes_to_unicode_text(one)) == one);
  }
  CHECK(kvt::tok::unicode_to_byte(0x4E2D) == -1);
}

TEST_CASE("GPT-2 pattern splits like the reference", "[lib][tokenizer]") {
  RegexPreTokenizer gpt2(kvt::tok::kGpt2Pattern);
  // Hand-derived from the pattern: contractions, optional leading space, trailing-space rule.
  CHECK(gpt2.split("Hello world's  end!!\n") ==
        std::vector<std::string>{"Hello", " world", "'s", " ", " end", "!!", "\n"});
  CHECK(gpt2.split("abc 123   x") == std::vector<std::string>{"abc", " 123", "  ", " x"});
  CHECK(gpt2.split("").empty());
  CHECK(gpt2.split("héllo 日本語") == std::vector<std::string>{"héllo", " 日本語"});
}

TEST_CASE("Llama-3 and Qwen2 patterns group digits differently", "[lib][tokenizer]") {
  RegexPreTokenizer llama3(kvt::tok::kLlama3Pattern);
  RegexPreTokenizer qwen2(kvt::tok::kQwen2Pattern);
  CHECK(llama3.split("12345 x") == std::vector<std::string>{"123", "45", " x"});
  CHECK(qwen2.split("12345") == std::vector<std::string>{"1", "2", "3", "4", "5"});
  CHECK(llama3.split("I'LL go\n\n  now") == std::vector<std::string>{"I", "'LL", " go", "\n\n", " ", " now"});
  CHECK(llama3.split("a.\nb") == std::vector<std::string>{"a", ".\n", "b"});
}

TEST_CASE("pieces always concatenate back to the input, invalid UTF-8 included", "[lib][tokenizer]") {
  RegexPreTokenizer gpt2(kvt::tok::kGpt2Pattern);
  std::string text = "ok \xFF\xFE bad \xE6\x97 cut";
  std::string joined;
  for (const auto& piece : gpt2.split(text)) {
    CHECK(!piece.empty());
    joined += piece;
  }
  CHECK(joined == text);
  std::vector<std::pair<size_t, size_t>> matches;
  gpt2.match_spans("a  b", matches);
  CHECK(matches == std::vector<std::pair<size_t, size_t>>{{0, 1}, {1, 2}, {2, 4}});
}

TEST_CASE("a regex that does not compile is an InputError naming it", "[lib][tokenizer]") {
  REQUIRE_THROWS_AS(RegexPreTokenizer("(unclosed"), kvt::InputError);
  REQUIRE_THROWS_WITH(RegexPreTokenizer("(unclosed"), Catch::Contains("(unclosed"));
}
