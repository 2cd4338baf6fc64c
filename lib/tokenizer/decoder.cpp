// tokenizer.json decoders, each a step over the list of token strings as in huggingface/tokenizers
// (decode_chain); the final strings are concatenated.
#include "lib/tokenizer/tokenizer_pipeline.h"
#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

namespace {

std::string replace_literal(const std::string& text, const std::string& pattern, const std::string& content) {
  if (pattern.empty()) return text;
  std::string out;
  size_t last = 0;
  for (size_t found = text.find(pattern); found != std::string::npos; found = text.find(pattern, last)) {
    out.append(text, last, found - last);
    out += content;
    last = found + pattern.size();
  }
  out.append(text, last, std::string::npos);
  return out;
}

// "<0x41>" -> 0x41; -1 when `token` is not a byte-fallback token.
int byte_fallback_value(const std::string& token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return -1;
  int value = 0;
  for (size_t i = 3; i < 5; ++i) {
    char c = token[i];
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// Byte-level text back to bytes; a token with a character outside GPT-2's map (an added token such as
// "<|im_end|>" is fine, "日本" is not) is kept as its own UTF-8, as huggingface/tokenizers does.
std::string byte_level_to_bytes(const std::string& token) {
  std::string bytes;
  size_t pos = 0;
  while (pos < token.size()) {
    int b = unicode_to_byte(utf8_next(token, pos));
    if (b < 0) return token;
    bytes.push_back(char(b));
  }
  return bytes;
}

// Removes up to `count` copies of `content` from the front (or back) of `token`.
void strip(std::string& token, const std::string& content, size_t start, size_t stop) {
  if (content.empty()) return;
  for (size_t i = 0; i < start && token.compare(0, content.size(), content) == 0; ++i) token.erase(0, content.size());
  for (size_t i = 0; i < stop && token.size() >= content.size() &&
                     token.compare(token.size() - content.size(), content.size(), content) == 0;
       ++i)
    token.erase(token.size() - content.size());
}

}  // namespace

std::string Decoder::decode(std::vector<std::string> tokens) const {
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Kind::kByteLevel: {
        std::string bytes;
        for (const std::string& token : tokens) bytes += byte_level_to_bytes(token);
        tokens.assign(1, utf8_lossy(bytes));
        break;
      }
      case Kind::kMetaspace:
        for (size_t i = 0; i < tokens.size(); ++i) {
          tokens[i] = replace_literal(tokens[i], step.pattern, " ");
          if (i == 0 && step.prepend && !tokens[i].empty() && tokens[i][0] == ' ') tokens[i].erase(0, 1);
        }
        break;
      case Kind::kReplace:
        for (std::string& token : tokens) token = replace_literal(token, step.pattern, step.content);
        break;
      case Kind::kByteFallback: {
        // Runs of <0xNN> become their bytes when those are valid UTF-8, else one U+FFFD per byte.
        std::vector<std::string> out;
        std::string pending;
        size_t pending_count = 0;
        auto flush = [&] {
          if (pending_count == 0) return;
          if (find_invalid_utf8(pending) == std::string::npos) {
            out.push_back(pending);
          } else {
            for (size_t i = 0; i < pending_count; ++i) out.push_back("\xEF\xBF\xBD");
          }
          pending.clear();
          pending_count = 0;
        };
        for (std::string& token : tokens) {
          int value = byte_fallback_value(token);
          if (value >= 0) {
            pending.push_back(char(value));
            ++pending_count;
          } else {
            flush();
            out.push_back(std::move(token));
          }
        }
        flush();
        tokens.swap(out);
        break;
      }
      case Kind::kFuse: {
        std::string fused;
        for (const std::string& token : tokens) fused += token;
        tokens.assign(1, fused);
        break;
      }
      case Kind::kStrip:
        for (std::string& token : tokens) strip(token, step.content, step.start, step.stop);
        break;
    }
  }
  std::string text;
  for (const std::string& token : tokens) text += token;
  return text;
}

}  // namespace kvt::tok
