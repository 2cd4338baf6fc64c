// libFuzzer target: a KVTuner preset as YAML or JSON (lib/core/kv_config.h). An accepted config must survive its
// own writers: to_kvtuner_yaml and to_json read back to the same layers.
#include "lib/core/kv_config.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    const kvt::KvConfig c = kvt::parse_kv_config_yaml(kvt::fuzz::text_of(data, size), "fuzz.yaml");
    const kvt::KvConfig yaml =
        kvt::parse_kv_config_yaml(kvt::to_kvtuner_yaml(c, /*with_metadata=*/false), "round-trip.yaml");
    const kvt::KvConfig json = kvt::parse_kv_config_yaml(kvt::to_json(c).dump(), "round-trip.json");
    kvt::fuzz::require(yaml.layers == c.layers && yaml.heads == c.heads, "YAML round trip changed the layers");
    kvt::fuzz::require(json.layers == c.layers && json.heads == c.heads, "JSON round trip changed the layers");
  });
  return 0;
}
