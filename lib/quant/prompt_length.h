// How many leading tokens of each sequence form the prompt (the prefill); the rest are decode steps,
// teacher-forced. One type for the profiler (`profile`/`run --prompt-len`) and evaluation (`evaluate`,
// `run`'s re-scoring), so that a table records the same setting the evaluation then uses. No tensors here.
#pragma once
#include <cstdint>
#include <string>

namespace kvt::quant {

struct PromptLength {
  double fraction = 0.5;  // used when tokens < 0: P = floor(fraction · T); in [0, 1)
  int64_t tokens = -1;    // a fixed count P

  // P for a T-token sequence, at most T (a prompt of T tokens or more leaves nothing to decode).
  int64_t prefill_tokens(int64_t length) const;
  // P for a sequence that must keep at least one decoded token (evaluation's scored continuation).
  // @throws InputError (id 971) when T < 2 or P ≥ T.
  int64_t for_sequence(int64_t length) const;
  // The --prompt-len value: "half", a fraction such as "0.25" (%.6g), or a count "128"; recorded in tables.
  std::string option_text() const;
  // "half of each sequence" | "0.250000 of each sequence" | "128 tokens".
  std::string describe() const;
  // @throws InputError (id 422) naming --prompt-len when the fraction is outside [0, 1).
  void validate() const;
};

// "half" or a token count ("128"). @throws InputError (id 971) naming --prompt-len.
PromptLength parse_prompt_length(const std::string& text);

}  // namespace kvt::quant
