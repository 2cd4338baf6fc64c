// The engine KV-cache type registry (lib/quant/kv_types.h): names, storage cost and input checks.
// Storage expectations come from the engines' block layouts, not from the registry's formula:
//   llama.cpp ggml/src/ggml-common.h: block_q8_0 = fp16 d + 32 int8 = 34 bytes; block_q5_1 = d, m + 4-byte qh
//   + 16 bytes = 24; block_q5_0 = 22; block_q4_1 = 20; block_q4_0 = 18; block_iq4_nl = 18 (32 elements each).
//   NVFP4: 16 × 4 bits + one fp8 scale = 9 bytes per 16 elements. fp8: one byte per element.
//   LMDeploy: b-bit codes plus a 16-bit scale and a 16-bit zero per token per head of D elements.
#include <catch2/catch.hpp>

#include <cmath>

#include "lib/core/error.h"
#include "lib/quant/kv_types.h"

using namespace kvt::quant;

TEST_CASE("KV-cache types are registered under the engines' names", "[lib][quant][kv_types]") {
  CHECK(kv_type_names() == std::vector<std::string>{"fp8_e4m3", "fp8_e5m2", "nvfp4", "int8", "int4", "q8_0", "q5_1",
                                                    "q5_0", "q4_1", "q4_0", "iq4_nl"});
  for (const auto& t : kv_types()) {
    CHECK_FALSE(t.help.empty());
    CHECK(t.qdq != nullptr);
    CHECK(&find_kv_type(t.name) == &t);
  }
  CHECK(find_kv_type("q4_0").block_size == 32);
  CHECK(find_kv_type("nvfp4").block_size == 16);
  CHECK(find_kv_type("int4").granularity == KvGranularity::PerTokenHead);
  CHECK(find_kv_type("fp8_e4m3").granularity == KvGranularity::PerTensor);
}

TEST_CASE("an unknown KV-cache type names the option and the registered ones", "[lib][quant][kv_types]") {
  CHECK_THROWS_AS(find_kv_type("q3_0", "--engine-types"), kvt::InputError);
  CHECK_THROWS_WITH(find_kv_type("q3_0", "--engine-types"),
                    Catch::Contains("[kvt.input.430]") && Catch::Contains("--engine-types") &&
                        Catch::Contains("q3_0") && Catch::Contains("iq4_nl") && Catch::Contains("fp8_e4m3"));
}

TEST_CASE("storage bits per element include the block parameters", "[lib][quant][kv_types]") {
  const auto bits = [](const char* name, int head_dim) { return find_kv_type(name).bits_per_element(head_dim); };
  CHECK(bits("q8_0", 128) == 8.0 * 34 / 32);
  CHECK(bits("q5_1", 128) == 8.0 * 24 / 32);
  CHECK(bits("q5_0", 128) == 8.0 * 22 / 32);
  CHECK(bits("q4_1", 128) == 8.0 * 20 / 32);
  CHECK(bits("q4_0", 128) == 8.0 * 18 / 32);
  CHECK(bits("iq4_nl", 64) == 8.0 * 18 / 32);
  CHECK(bits("nvfp4", 128) == 8.0 * 9 / 16);
  CHECK(bits("fp8_e4m3", 128) == 8.0);
  CHECK(bits("fp8_e5m2", 80) == 8.0);
  CHECK(bits("int8", 128) == (128 * 8 + 32) / 128.0);
  CHECK(bits("int8", 64) == (64 * 8 + 32) / 64.0);
  CHECK(bits("int4", 128) == (128 * 4 + 32) / 128.0);
  CHECK_THROWS_WITH(bits("q4_0", 80), Catch::Contains("[kvt.input.431]") && Catch::Contains("80"));
  CHECK_THROWS_AS(bits("int8", 0), kvt::InputError);
}

TEST_CASE("fake_quantize_row checks the row length and the scales", "[lib][quant][kv_types]") {
  std::vector<float> row(48, 1.0f);
  CHECK_THROWS_WITH(fake_quantize_row(find_kv_type("q4_0"), row), Catch::Contains("[kvt.input.431]"));
  CHECK_NOTHROW(fake_quantize_row(find_kv_type("nvfp4"), row));  // 3 blocks of 16
  CHECK_THROWS_AS(fake_quantize_row(find_kv_type("int8"), std::vector<float>{}), kvt::InputError);
  KvTypeParams p;
  p.scale = 0.0f;
  CHECK_THROWS_WITH(fake_quantize_row(find_kv_type("fp8_e4m3"), row, p),
                    Catch::Contains("[kvt.input.432]") && Catch::Contains("scale"));
  p.scale = std::nanf("");
  CHECK_THROWS_AS(fake_quantize_row(find_kv_type("fp8_e5m2"), row, p), kvt::InputError);
  CHECK_NOTHROW(fake_quantize_row(find_kv_type("q4_0"), std::vector<float>(32, 1.0f), p));  // q4_0 reads no scale
  KvTypeParams g;
  g.global_scale = -1.0f;
  CHECK_THROWS_WITH(fake_quantize_row(find_kv_type("nvfp4"), row, g), Catch::Contains("global_scale"));
}

TEST_CASE("fake_quantize_row may work in place", "[lib][quant][kv_types]") {
  std::vector<float> row = {0.3f, -1.7f, 2.2f, 5.0f, 0.0f, -0.4f, 1.1f, 3.9f};
  row.resize(32, 0.25f);
  for (const auto& t : kv_types()) {
    const std::vector<float> expected = fake_quantize_row(t, row);
    std::vector<float> inplace = row;
    fake_quantize_row(t, inplace.data(), inplace.data(), int64_t(inplace.size()));
    CHECK(inplace == expected);
  }
}
