#include "lib/tokenizer/byte_level.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "lib/core/error.h"
#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

namespace {

struct ByteMap {
  std::array<std::string, 256> to_unicode;
  std::array<int, 324> from_code_point;  // every mapped code point is < 0x144
};

const ByteMap& byte_map() {
  static const ByteMap map = [] {
    ByteMap m;
    m.from_code_point.fill(-1);
    auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    int next_extra = 0;
    for (int b = 0; b < 256; ++b) {
      uint32_t cp = printable(b) ? uint32_t(b) : uint32_t(256 + next_extra++);
      m.to_unicode[b] = utf8_encode(cp);
      m.from_code_point[cp] = b;
    }
    return m;
  }();
  return map;
}

}  // namespace

const std::array<std::string, 256>& byte_to_unicode() { return byte_map().to_unicode; }

int unicode_to_byte(uint32_t code_point) {
  const auto& table = byte_map().from_code_point;
  return code_point < table.size() ? table[code_point] : -1;
}

std::string bytes_to_unicode_text(const std::string& bytes) {
  const auto& table = byte_map().to_unicode;
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += table[b];
  return out;
}

std::string unicode_text_to_bytes(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    uint32_t cp = utf8_next(text, pos);
    int b = unicode_to_byte(cp);
    if (b >= 0)
      out.push_back(char(b));
    else
      out.append(text, start, pos - start);
  }
  return out;
}

struct RegexPreTokenizer::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

RegexPreTokenizer::RegexPreTokenizer(const std::string& pattern) : pattern_(pattern) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  auto compiled = std::make_shared<Compiled>();
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error_code, &error_offset, nullptr);
  if (!compiled->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    throw InputError("pre-tokenizer regex '" + pattern + "': " + reinterpret_cast<const char*>(message) +
                         " at offset " + std::to_string(error_offset),
                     706);  // kErrRegex (tokenizer_pipeline.h)
  }
  // JIT is an optimisation only: interpretation gives the same matches where JIT is unavailable.
  compiled->jit = pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE) == 0;
  compiled_ = std::move(compiled);
}

namespace {

// Calls on_match(begin, end) for each non-overlapping match, left to right.
template <class OnMatch>
void for_each_match(pcre2_code* code, bool jit, const std::string& text, OnMatch on_match) {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t offset = 0;
  while (offset < text.size()) {
    int rc = jit ? pcre2_jit_match(code, subject, text.size(), offset, 0, data, nullptr)
                 : pcre2_match(code, subject, text.size(), offset, 0, data, nullptr);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMATCH) break;
      pcre2_match_data_free(data);
      throw InternalError("PCRE2 match failed with code " + std::to_string(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    if (end == begin) {  // an empty match: step one code point on so the loop ends
      size_t next = begin;
      if (next < text.size()) utf8_next(text, next);
      offset = next;
      continue;
    }
    on_match(begin, end);
    offset = end;
  }
  pcre2_match_data_free(data);
}

}  // namespace

void RegexPreTokenizer::split_spans(const std::string& text, std::vector<std::pair<size_t, size_t>>& spans) const {
  spans.clear();
  size_t last = 0;
  for_each_match(compiled_->code, compiled_->jit, text, [&](size_t begin, size_t end) {
    if (begin > last) spans.emplace_back(last, begin);
    spans.emplace_back(begin, end);
    last = end;
  });
  if (last < text.size()) spans.emplace_back(last, text.size());
}

void RegexPreTokenizer::match_spans(const std::string& text, std::vector<std::pair<size_t, size_t>>& spans) const {
  spans.clear();
  for_each_match(compiled_->code, compiled_->jit, text,
                 [&](size_t begin, size_t end) { spans.emplace_back(begin, end); });
}

std::vector<std::string> RegexPreTokenizer::split(const std::string& text) const {
  std::vector<std::pair<size_t, size_t>> spans;
  split_spans(text, spans);
  std::vector<std::string> pieces;
  pieces.reserve(spans.size());
  for (const auto& [begin, end] : spans) pieces.emplace_back(text, begin, end - begin);
  return pieces;
}

}  // namespace kvt::tok
