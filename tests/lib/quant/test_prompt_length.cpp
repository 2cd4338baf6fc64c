// The prompt-length setting shared by the profiler and evaluation, on hand-computed cases.
#include <catch2/catch.hpp>

#include "lib/quant/prompt_length.h"

using kvt::quant::parse_prompt_length;
using kvt::quant::PromptLength;

TEST_CASE("prompt length: half, fixed counts, and sequences with nothing left to decode", "[lib][quant]") {
  CHECK(parse_prompt_length("half").for_sequence(9) == 4);
  CHECK(parse_prompt_length("0").for_sequence(5) == 0);
  CHECK(parse_prompt_length("12").for_sequence(13) == 12);
  CHECK_THROWS_WITH(parse_prompt_length("12").for_sequence(12),
                    Catch::Contains("--prompt-len") && Catch::Contains("12 tokens"));
  CHECK_THROWS_WITH(parse_prompt_length("half").for_sequence(1), Catch::Contains("input.971"));
  for (const char* bad : {"", "-3", "1.5", "all", "99999999999"})
    CHECK_THROWS_WITH(parse_prompt_length(bad), Catch::Contains("--prompt-len") && Catch::Contains("expected 'half'"));
}

TEST_CASE("prompt length: the profiler's clamp, the recorded option text, and the fraction check", "[lib][quant]") {
  PromptLength half;
  CHECK(half.prefill_tokens(41) == 20);  // floor(0.5 · 41)
  CHECK(half.option_text() == "half");
  CHECK(half.describe() == "half of each sequence");
  PromptLength quarter;
  quarter.fraction = 0.25;
  CHECK(quarter.prefill_tokens(10) == 2);  // floor(2.5)
  CHECK(quarter.option_text() == "0.25");
  PromptLength fixed = parse_prompt_length("30");
  CHECK(fixed.prefill_tokens(20) == 20);  // at most the prompt
  CHECK(fixed.prefill_tokens(40) == 30);
  CHECK(fixed.option_text() == "30");
  CHECK(fixed.describe() == "30 tokens");
  CHECK_NOTHROW(fixed.validate());
  PromptLength whole;
  whole.fraction = 1.0;
  CHECK_THROWS_WITH(whole.validate(), Catch::Contains("input.422") && Catch::Contains("[0, 1)"));
}
