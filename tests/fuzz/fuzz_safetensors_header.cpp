// libFuzzer target: a whole safetensors file (length prefix, header JSON, data section) through the validating
// layout parser that SafetensorsFile runs on the mapped bytes (lib/model/safetensors_layout.h).
#include "lib/model/safetensors_layout.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    const kvt::model::SafetensorsLayout layout = kvt::model::parse_safetensors_layout(data, size, "fuzz.safetensors");
    // What the reader accepts, the mapped view may index: every range lies inside the data section.
    for (const auto& t : layout.tensors)
      kvt::fuzz::require(t.begin <= t.end && layout.data_offset + t.end <= size, "tensor range outside the file");
  });
  return 0;
}
