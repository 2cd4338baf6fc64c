// The engine KV-cache type registry (lib/quant/kv_types.h): names, storage cost and input checks.
// Storage expectations come from the engines' block layouts, not from the registry's formula:
//   llama.cpp ggml/src/ggml-common.h: block_q8_0 = fp16 d + 32 int8 = 34 bytes; block_q5_1 = d, m + 4-byte qh
//   + 16 bytes = 24; block_q5_0 = 22; block_q4_1 = 20; block_q4_0 = 18; block_iq4_nl = 18 (32 elements each).
//   NVFP4: 16 × 4 bits + one fp8 scale = 9 bytes per 16 elements. fp8: one byte per element.
//   LMDeploy: b-bit codes plus a 16-bit scale and a 16-bit zero per token per head of D elements.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

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

namespace {

// Largest |x| of a span, and its minimum and maximum.
struct Stats {
  float amax = 0.0f, min = 0.0f, max = 0.0f;
};
Stats stats_of(const float* x, int n) {
  Stats s{0.0f, x[0], x[0]};
  for (int i = 0; i < n; ++i) {
    s.amax = std::max(s.amax, std::fabs(x[i]));
    s.min = std::min(s.min, x[i]);
    s.max = std::max(s.max, x[i]);
  }
  return s;
}

// A bound on |x − x̂| for element i of a row from each format's definition (one quantization step or less, plus
// the fp16/bf16 rounding of the parameters; docs/engine-types.md), loose enough for every rounding path and
// tight enough to catch a wrong sign, scale or code offset.
double error_bound(const std::string& name, const std::vector<float>& row, size_t i, float fp8_scale) {
  const float x = row[i];
  const size_t block = name == "nvfp4" ? 16 : 32;
  const size_t b0 = i / block * block;
  // Half a step: 2^-4 (e4m3) or 2^-3 (e5m2) relative for normals, half the subnormal step times the scale below.
  if (name == "fp8_e4m3") return std::fabs(x) * 0.0625 + fp8_scale * std::ldexp(1.0, -10);
  if (name == "fp8_e5m2") return std::fabs(x) * 0.125 + fp8_scale * std::ldexp(1.0, -17);
  if (name == "int8" || name == "int4") {
    const Stats s = stats_of(row.data(), int(row.size()));
    const double scale = (double(s.max) - s.min) / (name == "int8" ? 255 : 15);
    return 0.7 * scale + 4.0 * s.amax * std::ldexp(1.0, -11);
  }
  const Stats s = stats_of(row.data() + b0, int(block));
  if (name == "nvfp4") return 0.25 * s.amax;  // e2m1 gap 4→6 at the block scale, plus fp8 rounding of the scale
  if (name == "q8_0") return 0.6 * s.amax / 127;
  if (name == "q4_0") return 1.05 * s.amax / 8;  // the side opposite the extreme reaches only 7·|d|
  if (name == "q5_0") return 1.05 * s.amax / 16;
  if (name == "q4_1" || name == "q5_1") {
    const double d = (double(s.max) - s.min) / (name == "q4_1" ? 15 : 31);
    return 0.6 * d + std::fabs(s.min) * std::ldexp(1.0, -10);
  }
  if (name == "iq4_nl") return 0.15 * s.amax;  // half the widest codebook gap (24/127) plus the refit scale
  return 0.0;
}

}  // namespace

TEST_CASE("every type keeps random rows within its quantization step", "[lib][quant][kv_types]") {
  std::mt19937 gen(2502);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const float spread : {0.01f, 1.0f, 30.0f}) {
    for (int r = 0; r < 20; ++r) {
      std::vector<float> row(128);
      for (auto& v : row) v = normal(gen) * spread + (r % 4 == 3 ? spread : 0.0f);  // some rows off-centre
      for (const auto& t : kv_types()) {
        KvTypeParams p;
        if (t.granularity == KvGranularity::PerTensor) p.scale = spread;  // a calibrated-looking scale
        const std::vector<float> y = fake_quantize_row(t, row, p);
        for (size_t i = 0; i < row.size(); ++i) {
          INFO(t.name << " spread " << spread << " row " << r << " element " << i << ": " << row[i] << " → " << y[i]);
          REQUIRE(std::fabs(double(y[i]) - row[i]) <= error_bound(t.name, row, i, p.scale));
        }
      }
    }
  }
}
