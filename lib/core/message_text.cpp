#include "lib/core/message_text.h"

namespace kvt {

std::string escape_for_message(const std::string& text, size_t max_bytes) {
  static const char hex[] = "0123456789abcdef";
  size_t end = text.size();
  if (max_bytes > 0 && end > max_bytes) {
    end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // keep UTF-8 sequences whole
  }
  auto escaped = [&](unsigned char c) { return std::string("\\x") + hex[c >> 4] + hex[c & 15]; };
  std::string out;
  for (size_t i = 0; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += escaped(c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {  // a whole, well-formed UTF-8 sequence is kept; any other byte is escaped
      const size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
      bool ok = len > 0 && c < 0xF5 && i + len <= end;
      for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      if (ok && len == 3) {
        const unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
        ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // no overlong form, no surrogate
      }
      if (ok && len == 4) {
        const unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
        ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
      }
      if (!ok) {
        out += escaped(c);
      } else {
        out.append(text, i, len);
        i += len - 1;
      }
    }
  }
  if (end < text.size()) out += "...";
  return out;
}

}  // namespace kvt
