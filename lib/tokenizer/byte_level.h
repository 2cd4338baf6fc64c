// Byte-level BPE building blocks shared by the tokenizer and the BPE trainer (lib/train):
// GPT-2's reversible byte <-> printable-unicode map and a PCRE2 regex pre-tokenizer.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kvt::tok {

// GPT-2 (openai/gpt-2 encoder.py bytes_to_unicode): byte b -> the UTF-8 text of one printable
// code point. Printable Latin-1 bytes map to themselves, the other 68 to U+0100.. in byte order
// (so ' ' -> "Ġ" U+0120, '\n' -> "Ċ" U+010A).
const std::array<std::string, 256>& byte_to_unicode();

// Inverse of byte_to_unicode() on one code point; -1 when the code point is not in the map.
int unicode_to_byte(uint32_t code_point);

// Maps every byte of `bytes` through byte_to_unicode() and concatenates (raw bytes -> vocab text).
std::string bytes_to_unicode_text(const std::string& bytes);

// Inverse of bytes_to_unicode_text(). Code points outside the map (only possible in
// hand-edited vocabularies) are copied through unchanged as UTF-8.
std::string unicode_text_to_bytes(const std::string& text);

// Pre-tokenizer patterns exactly as they appear in the models' tokenizer.json files.
// GPT-2 (also used by the ByteLevel pre-tokenizer with use_regex = true).
extern const char* const kGpt2Pattern;
// Llama-3 / Llama-3.x.
extern const char* const kLlama3Pattern;
// Qwen2 / Qwen2.5 / Qwen3 (Llama-3's pattern with single digits: \p{N} instead of \p{N}{1,3}).
extern const char* const kQwen2Pattern;

// Splits text with a regex the way Hugging Face's Split(behavior = "Isolated") does: every match
// is a piece, and every stretch of text between matches is a piece too, so the pieces concatenate
// back to the input. Compiled once with PCRE2 (UTF + UCP, JIT when available; invalid UTF-8 in the
// input never matches and ends up in the in-between pieces). Thread-safe: split() is const and
// uses per-call match data. Copyable (copies share the compiled pattern).
class RegexPreTokenizer {
 public:
  // @throws kvt::InputError naming the pattern and PCRE2's message when it does not compile.
  explicit RegexPreTokenizer(const std::string& pattern);

  // The pieces of `text` in order; empty pieces are never produced.
  std::vector<std::string> split(const std::string& text) const;

  // The same pieces as [begin, end) byte offsets into `text`, appended to `spans` (cleared first).
  // Faster than split() for hot loops: no string copies.
  void split_spans(const std::string& text, std::vector<std::pair<size_t, size_t>>& spans) const;

  // Only the regex matches (the in-between text is dropped), as spans; HF's behavior "Removed"
  // with invert = true, i.e. what tiktoken-style trainers iterate over.
  void match_spans(const std::string& text, std::vector<std::pair<size_t, size_t>>& spans) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;
  std::string pattern_;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace kvt::tok
