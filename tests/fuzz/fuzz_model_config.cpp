// libFuzzer target: config.json (lib/model/model_config.h), and what inspect derives from an accepted config.
#include "lib/model/model_config.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    const kvt::model::ModelConfig c =
        kvt::model::parse_model_config_text(kvt::fuzz::text_of(data, size), "fuzz/config.json");
    kvt::fuzz::require(c.num_layers > 0 && c.hidden_size > 0 && c.num_heads > 0 && c.num_kv_heads > 0 &&
                           c.head_dim > 0 && c.num_heads % c.num_kv_heads == 0,
                       "accepted config with a non-positive dimension");
  });
  return 0;
}
