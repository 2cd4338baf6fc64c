#include "lib/quant/prompt_length.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "lib/core/error.h"

namespace kvt::quant {

namespace {

int64_t unclamped(const PromptLength& p, int64_t length) {
  return p.tokens >= 0 ? p.tokens : int64_t(std::floor(p.fraction * double(length)));
}

}  // namespace

int64_t PromptLength::prefill_tokens(int64_t length) const { return std::min(length, unclamped(*this, length)); }

int64_t PromptLength::for_sequence(int64_t length) const {
  const int64_t p = unclamped(*this, length);
  if (length < 2 || p >= length)
    throw InputError("--prompt-len: a sequence of " + std::to_string(length) +
                         " tokens has no token left to decode after a " + std::to_string(p) + "-token prompt (" +
                         describe() + ")",
                     971);
  return p;
}

std::string PromptLength::option_text() const {
  if (tokens >= 0) return std::to_string(tokens);
  if (fraction == 0.5) return "half";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", fraction);
  return buf;
}

std::string PromptLength::describe() const {
  if (tokens >= 0) return std::to_string(tokens) + " tokens";
  return fraction == 0.5 ? "half of each sequence" : std::to_string(fraction) + " of each sequence";
}

void PromptLength::validate() const {
  if (tokens < 0 && !(fraction >= 0 && fraction < 1))
    throw InputError("--prompt-len: the prompt fraction must be in [0, 1), got " + option_text(), 422);
}

PromptLength parse_prompt_length(const std::string& text) {
  PromptLength p;
  if (text == "half") return p;
  const bool digits = !text.empty() && text.size() <= 9 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit((unsigned char)c); });
  if (!digits) throw InputError("--prompt-len '" + text + "': expected 'half' or a token count", 971);
  p.tokens = std::stoll(text);
  return p;
}

}  // namespace kvt::quant
