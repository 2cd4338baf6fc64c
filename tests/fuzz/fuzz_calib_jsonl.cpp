// libFuzzer target: a JSON Lines calibration file (calibration/input/calibration_set.h, jsonl_documents).
#include "calibration/input/calibration_set.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  KVT_FUZZ_EXPECT_ERRORS({ kvt::calib::jsonl_documents(kvt::fuzz::text_of(data, size), "fuzz.jsonl", "text"); });
  return 0;
}
