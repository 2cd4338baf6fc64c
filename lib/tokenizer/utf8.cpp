#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

std::string utf8_encode(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
  return out;
}

size_t utf8_sequence_length(const std::string& text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  size_t length;
  uint32_t min_value;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    min_value = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    min_value = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    min_value = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  uint32_t cp = lead & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid UTF-8.
  if (cp < min_value || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

uint32_t utf8_next(const std::string& text, size_t& pos) {
  size_t length = utf8_sequence_length(text, pos);
  if (length == 0) {
    ++pos;
    return kInvalidCodePoint;
  }
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  uint32_t cp = length == 1 ? byte(pos) : byte(pos) & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) cp = (cp << 6) | (byte(pos + i) & 0x3F);
  pos += length;
  return cp;
}

}  // namespace kvt::tok

namespace kvt::tok {

size_t find_invalid_utf8(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    size_t length = utf8_sequence_length(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::string::npos;
}

std::string utf8_lossy(const std::string& bytes) {
  static const std::string kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  while (pos < bytes.size()) {
    unsigned char lead = byte(pos);
    if (lead < 0x80) {
      out.push_back(char(lead));
      ++pos;
      continue;
    }
    size_t length = utf8_sequence_length(bytes, pos);
    if (length > 0) {
      out.append(bytes, pos, length);
      pos += length;
      continue;
    }
    // Maximal subpart: the lead byte plus the continuation bytes that could still start a valid
    // sequence (Unicode Table 3-7) form one replacement character.
    size_t needed = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    size_t next = pos + 1;
    for (size_t k = 0; k < needed && next < bytes.size(); ++k) {
      unsigned char c = byte(next);
      if (k == 0 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) break;
      ++next;
    }
    out += kReplacement;
    pos = next;
  }
  return out;
}

}  // namespace kvt::tok
