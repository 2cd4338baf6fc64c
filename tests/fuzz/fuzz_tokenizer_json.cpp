// libFuzzer target: tokenizer.json as text (lib/tokenizer/tokenizer.h, Tokenizer::from_json_text); an accepted
// tokenizer then encodes and decodes a short fixed text.
#include "lib/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    const kvt::tok::Tokenizer t =
        kvt::tok::Tokenizer::from_json_text(kvt::fuzz::text_of(data, size), "fuzz/tokenizer.json");
    const std::vector<int64_t> ids = t.encode("Hello world, 12 ab\n\xE2\x96\x81x <s>", true);
    for (int64_t id : ids)
      kvt::fuzz::require(id >= 0 && size_t(id) < t.vocab_size(), "encode produced an id outside the vocabulary");
    t.decode(ids);
  });
  return 0;
}
