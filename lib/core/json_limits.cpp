#include "lib/core/json_limits.h"

#include "lib/core/error.h"

namespace kvt {

int json_nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return limit + 1;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

void check_json_depth(std::string_view text, const std::string& source, int error_id) {
  if (json_nesting_depth(text) > kMaxJsonDepth)
    throw InputError(source + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels (the limit of the Hugging Face readers, serde_json)",
                     error_id);
}

nlohmann::json parse_json(std::string_view text, const std::string& source, int error_id, std::string_view hint) {
  check_json_depth(text, source, error_id);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string reason = e.what();
    const size_t prefix_end = reason.find("] ");
    if (prefix_end != std::string::npos) reason.erase(0, prefix_end + 2);
    // nlohmann quotes the whole last token it read ("last read: '...'"), which can be the rest of the file: keep
    // its first kMaxExcerptBytes bytes (whole UTF-8 characters) so the error stays a short line.
    constexpr size_t kMaxExcerptBytes = 40;
    const std::string marker = "last read: '";
    const size_t excerpt = reason.find(marker);
    if (excerpt != std::string::npos && reason.size() > excerpt + marker.size() + kMaxExcerptBytes + 1) {
      size_t cut = excerpt + marker.size() + kMaxExcerptBytes;
      while (cut > excerpt + marker.size() && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
      reason = reason.substr(0, cut) + "...' (" + std::to_string(reason.size() - cut - 1) + " more bytes)";
    }
    if (dynamic_cast<const nlohmann::json::out_of_range*>(&e)) reason += "; every number must fit a double";
    throw InputError(source + ": not valid JSON (" + reason + ")" + std::string(hint), error_id);
  }
}

bool json_integer_in(const nlohmann::json& v, int64_t min, int64_t max, int64_t& out) {
  if (!v.is_number_integer()) return false;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(INT64_MAX) || int64_t(u) < min || int64_t(u) > max) return false;
    out = int64_t(u);
    return true;
  }
  const int64_t i = v.get<int64_t>();
  if (i < min || i > max) return false;
  out = i;
  return true;
}

}  // namespace kvt
