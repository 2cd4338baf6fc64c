// tokenizer.json normalizers. Unicode normalization forms come from ICU (Qwen2/Qwen3 use NFC).
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer_pipeline.h"

namespace kvt::tok {

namespace {

const icu::Normalizer2& icu_normalizer(Normalizer::Kind kind) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = nullptr;
  switch (kind) {
    case Normalizer::Kind::kNfc:
      normalizer = icu::Normalizer2::getNFCInstance(status);
      break;
    case Normalizer::Kind::kNfd:
      normalizer = icu::Normalizer2::getNFDInstance(status);
      break;
    case Normalizer::Kind::kNfkc:
      normalizer = icu::Normalizer2::getNFKCInstance(status);
      break;
    default:
      normalizer = icu::Normalizer2::getNFKDInstance(status);
      break;
  }
  if (U_FAILURE(status) || !normalizer)
    throw InternalError(std::string("ICU normalizer unavailable: ") + u_errorName(status));
  return *normalizer;
}

bool is_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

std::string unicode_normalize(Normalizer::Kind kind, const std::string& text) {
  if (is_ascii(text)) return text;  // every normalization form leaves ASCII unchanged
  const icu::Normalizer2& normalizer = icu_normalizer(kind);
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  if (normalizer.isNormalized(source, status) && U_SUCCESS(status)) return text;
  status = U_ZERO_ERROR;
  icu::UnicodeString normalized = normalizer.normalize(source, status);
  if (U_FAILURE(status)) throw InternalError(std::string("ICU normalization failed: ") + u_errorName(status));
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

std::string replace_all(const std::string& text, const RegexPreTokenizer& regex, const std::string& content) {
  std::vector<std::pair<size_t, size_t>> matches;
  regex.match_spans(text, matches);
  if (matches.empty()) return text;
  std::string out;
  out.reserve(text.size() + matches.size() * content.size());
  size_t last = 0;
  for (const auto& [begin, end] : matches) {
    out.append(text, last, begin - last);
    out += content;
    last = end;
  }
  out.append(text, last, std::string::npos);
  return out;
}

std::string replace_all(const std::string& text, const std::string& literal, const std::string& content) {
  size_t found = text.find(literal);
  if (literal.empty() || found == std::string::npos) return text;
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  size_t last = 0;
  for (; found != std::string::npos; found = text.find(literal, last)) {
    out.append(text, last, found - last);
    out += content;
    last = found + literal.size();
  }
  out.append(text, last, std::string::npos);
  return out;
}

}  // namespace

std::string Normalizer::normalize(std::string text) const {
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Kind::kNfc:
      case Kind::kNfd:
      case Kind::kNfkc:
      case Kind::kNfkd:
        text = unicode_normalize(step.kind, text);
        break;
      case Kind::kPrepend:
        if (!text.empty()) text.insert(0, step.text);
        break;
      case Kind::kReplace:
        text = step.regex ? replace_all(text, *step.regex, step.text) : replace_all(text, step.literal, step.text);
        break;
    }
  }
  return text;
}

}  // namespace kvt::tok
