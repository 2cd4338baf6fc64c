// llama.cpp iq4_nl (lib/quant/kv_types/ggml_iq4_nl.cpp). Expected values follow ggml's reference quantizer
// quantize_row_iq4_nl_ref (ggml/src/ggml-quants.c, quantize_row_iq4_nl_impl with ntry = −1): d0 = max/−127,
// indices l = best_index(x/d0) into kvalues_iq4nl (ggml/src/ggml-common.h), then the weighted least-squares
// scale d = Σ x²·v·x / Σ x²·v² stored as fp16; x̂ = fp16(d) · v_l.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/float_formats.h"
#include "lib/quant/kv_types.h"

using namespace kvt::quant;

namespace {
const int kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
std::vector<float> qdq(const std::vector<float>& x) { return fake_quantize_row(find_kv_type("iq4_nl"), x); }
}  // namespace

TEST_CASE("iq4_nl reproduces codebook multiples of a power-of-two scale", "[lib][quant][kv_types]") {
  // x_j = d · v_(j mod 16) with d = 0.5: max = −63.5 → d0 = 0.5, x/d0 = v exactly, and both sums carry d³ and
  // d² times the same fp32 sum, so the least-squares d is 0.5 exactly.
  std::vector<float> x(64);
  for (int j = 0; j < 64; ++j) x[j] = 0.5f * float(kValues[j % 16]);
  CHECK(qdq(x) == x);
}

TEST_CASE("iq4_nl picks the nearest level, a tie going to the larger one", "[lib][quant][kv_types]") {
  // max = −127 → d0 = 1, so x/d0 = x. Midpoints: −115.5 (between −127 and −104) → −104; 7 (1 | 13) → 13;
  // −4.5 (−10 | 1) → 1. Just below: 6.99 → 1, −4.51 → −10. Zero (weight 0) → level 1 (the nearest to 0).
  // The final scale is the least-squares d; a zero element decodes to d · 1, which reads it back exactly.
  const std::vector<float> x = {-127.0f, -115.5f, 7.0f, -4.5f, 6.99f, -4.51f, 0.0f, 100.0f};
  std::vector<float> in = x;
  in.resize(32, 0.0f);
  const std::vector<float> y = qdq(in);
  const float d = y[6];  // fp16(d) · 1
  const int expected_level[8] = {-127, -104, 13, 1, 1, -10, 1, 89};
  for (int j = 0; j < 8; ++j) {
    INFO("element " << j);
    CHECK(y[j] == d * float(expected_level[j]));
  }
  // d itself: the weighted least-squares fit (fp32 sums) rounded to fp16; double sums agree to fp16 precision.
  double sqx = 0, sq2 = 0;
  for (int j = 0; j < 8; ++j) {
    const double w = double(x[j]) * x[j];
    sqx += w * expected_level[j] * x[j];
    sq2 += w * expected_level[j] * expected_level[j];
  }
  CHECK(d == round_to_fp16(float(sqx / sq2)));
}

TEST_CASE("iq4_nl: tiny, zero and NaN blocks give zero", "[lib][quant][kv_types]") {
  CHECK(qdq(std::vector<float>(32, 0.0f)) == std::vector<float>(32, 0.0f));
  CHECK(qdq(std::vector<float>(32, 1e-16f)) == std::vector<float>(32, 0.0f));  // amax < 1e-15: d = 0
  // A NaN makes Σ w·v² NaN, and d = sumq2 > 0 ? … : 0 takes 0.
  std::vector<float> x(32, 1.0f);
  x[5] = std::numeric_limits<float>::quiet_NaN();
  CHECK(qdq(x) == std::vector<float>(32, 0.0f));
}

TEST_CASE("iq4_nl: a constant block decodes to fp16(d) times the top level", "[lib][quant][kv_types]") {
  // max = 2 → d0 = −2/127, x/d0 = −127 → level 0 (−127) for all; d = Σ w·(−127)·2 / Σ w·127² = −2/127 (fp32);
  // fp16(−0.015748) = −1032 · 2^-16 = −0.0157470703125; x̂ = −0.0157470703125 · −127 = 1.9998779296875.
  CHECK(qdq(std::vector<float>(32, 2.0f)) == std::vector<float>(32, 1.9998779296875f));
}

TEST_CASE("iq4_nl stores 4.5 bits per element", "[lib][quant][kv_types]") {
  CHECK(find_kv_type("iq4_nl").bits_per_element(128) == 4.5);
}
