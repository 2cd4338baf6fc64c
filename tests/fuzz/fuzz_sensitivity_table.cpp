// libFuzzer target: a sensitivity table (lib/core/sensitivity_table.h). An accepted table must validate again
// after its own JSON writer and read back, and give a CSV with one row per layer and pair.
#include <algorithm>

#include "lib/core/sensitivity_table.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({
    const kvt::SensitivityTable t = kvt::parse_sensitivity_table(kvt::fuzz::text_of(data, size), "fuzz.json");
    const kvt::SensitivityTable back = kvt::parse_sensitivity_table(kvt::to_json(t).dump(), "round-trip.json");
    kvt::fuzz::require(back.e_o == t.e_o && back.pairs == t.pairs && back.num_layers == t.num_layers,
                       "JSON round trip changed the table");
    const std::string csv = kvt::to_csv(t);
    kvt::fuzz::require(size_t(std::count(csv.begin(), csv.end(), '\n')) == 1 + size_t(t.num_layers) * t.pairs.size(),
                       "CSV rows differ from layers x pairs");
  });
  return 0;
}
