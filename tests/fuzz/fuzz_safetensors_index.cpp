// libFuzzer target: model.safetensors.index.json (lib/model/safetensors_layout.h).
#include "lib/model/safetensors_layout.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    for (const auto& [tensor, file] :
         kvt::model::parse_safetensors_index(kvt::fuzz::text_of(data, size), "fuzz.index.json"))
      kvt::fuzz::require(!file.empty() && file.find('/') == std::string::npos && file.find("..") == std::string::npos,
                         "a shard name that leaves the model directory");
  });
  return 0;
}
