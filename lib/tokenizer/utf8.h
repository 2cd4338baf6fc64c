// Minimal UTF-8 helpers for the tokenizer (code points only; Unicode classes come from PCRE2).
#pragma once
#include <cstdint>
#include <string>

namespace kvt::tok {

// Returned by utf8_next for a byte that does not start a valid UTF-8 sequence.
constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFFu;

// The UTF-8 encoding of `code_point` (1-4 bytes; no validation of surrogates).
std::string utf8_encode(uint32_t code_point);

// Decodes the code point starting at text[pos] and advances pos past it. On an invalid or
// truncated sequence returns kInvalidCodePoint and advances pos by exactly one byte.
uint32_t utf8_next(const std::string& text, size_t& pos);

// Length in bytes of the valid UTF-8 sequence starting at text[pos], or 0 when invalid.
size_t utf8_sequence_length(const std::string& text, size_t pos);

// Index of the first byte that does not belong to valid UTF-8, or std::string::npos.
size_t find_invalid_utf8(const std::string& text);

// Replaces each maximal ill-formed subsequence with U+FFFD, as Rust's String::from_utf8_lossy and
// JavaScript's TextDecoder do (the Unicode "maximal subpart" practice).
std::string utf8_lossy(const std::string& bytes);

}  // namespace kvt::tok
