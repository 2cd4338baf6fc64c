// llama.cpp legacy block types q8_0, q5_1, q5_0, q4_1, q4_0 (lib/quant/kv_types/ggml_q.cpp). Expected values
// follow ggml's reference quantizers in ggml/src/ggml-quants.c (quantize_row_<type>_ref / dequantize_row_<type>):
//   q8_0 d = amax/127, q = roundf(x/d) (ties away from zero);  q4_0 / q5_0 d = max/−8 or max/−16 with the
//   signed extreme, q = MIN(2^b − 1, (int8_t)(x/d + 2^(b−1) + 0.5)) (truncation: ties round up in code space);
//   q4_1 / q5_1 d = (max − min)/(2^b − 1), q = (int)((x − min)/d + 0.5);  d and min are stored as fp16.
// Blocks are built so every quotient is exact unless a comment gives the rounding; comparisons are exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/kv_types.h"

using namespace kvt::quant;

namespace {
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

// A 32-element block: `head` followed by `fill`.
std::vector<float> block(std::vector<float> head, float fill = 0.0f) {
  head.resize(32, fill);
  return head;
}
std::vector<float> qdq(const char* name, const std::vector<float>& x) {
  return fake_quantize_row(find_kv_type(name), x);
}
}  // namespace

TEST_CASE("q8_0: roundf ties away from zero, fp16 scale", "[lib][quant][kv_types]") {
  // amax 127 → d = 1.
  CHECK(qdq("q8_0", block({-127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f})) ==
        block({-127.0f, 3.0f, -3.0f, 1.0f, -1.0f, 1.0f}));
  // amax 127.0127 → d = 1.0001 in fp32 (codes 127 and 50), but fp16(d) = 1: the stored scale loses the 0.01%.
  CHECK(qdq("q8_0", block({127.0127f, 50.005f})) == block({127.0f, 50.0f}));
  // A constant block: d = 2.3/127, q = 127, fp16(d) = 1187 · 2^-16 → 127 · fp16(d) = 2.3002471923828125.
  CHECK(qdq("q8_0", block({}, 2.3f)) == block({}, 2.3002471923828125f));
}

TEST_CASE("q8_0: NaN and infinity as ggml's reference computes them", "[lib][quant][kv_types]") {
  // amax = MAX(amax, |x|) with MAX(a, b) = a > b ? a : b: a NaN in the last position becomes the amax, so d and
  // every value are NaN ...
  std::vector<float> last = block({-127.0f, 3.0f});
  last[31] = kNaN;
  for (float v : qdq("q8_0", last)) CHECK(std::isnan(v));
  // ... while an earlier NaN is replaced by the next |x|; its own code is (int8_t)roundf(NaN) = 0 on x86-64.
  CHECK(qdq("q8_0", block({kNaN, -127.0f, 3.0f})) == block({0.0f, -127.0f, 3.0f}));
  // An infinity: d = inf, 1/d = 0, every code 0 → 0 · fp16(inf) = NaN.
  for (float v : qdq("q8_0", block({kInf, 1.0f}))) CHECK(std::isnan(v));
}

TEST_CASE("q4_0: the signed extreme sets d, ties round up in code space", "[lib][quant][kv_types]") {
  // max = −8 → d = 1: code = trunc(x + 8.5) capped at 15; 0.5 → 9 (1), −0.5 → 8 (0), 7.4 → 15.9 → 15 (7).
  CHECK(qdq("q4_0", block({-8.0f, 7.0f, 7.4f, 0.5f, -0.5f, 1.5f, -1.5f, 2.49f})) ==
        block({-8.0f, 7.0f, 7.0f, 1.0f, 0.0f, 2.0f, -1.0f, 2.0f}));
  // max = +8 → d = −1: the positive extreme takes code 0 (−8 · −1 = 8); −7.9 → 7.9 + 8.5 = 16.4 → 16 → capped 15
  // → −7; x = 0.5 → code 8 → 0, x = −0.5 → code 9 → −1.
  CHECK(qdq("q4_0", block({8.0f, -7.0f, -7.9f, 0.5f, -0.5f})) == block({8.0f, -7.0f, -7.0f, 0.0f, -1.0f}));
  // d = 1.0002 in fp32, fp16(d) = 1.
  CHECK(qdq("q4_0", block({-8.0016f, 3.0006f})) == block({-8.0f, 3.0f}));
  // Constant 2.3: d = −0.2875, fp16(d) = −0.28759765625, code 0 → −8 · d = 2.30078125.
  CHECK(qdq("q4_0", block({}, 2.3f)) == block({}, 2.30078125f));
  // NaN is skipped by the amax (amax < |NaN| is false) and gets code 0 (x86-64 conversion): −8 · d.
  CHECK(qdq("q4_0", block({-8.0f, kNaN, 1.0f})) == block({-8.0f, -8.0f, 1.0f}));
}

TEST_CASE("q5_0: 32 levels around the signed extreme", "[lib][quant][kv_types]") {
  // max = −16 → d = 1: 15.7 → 32.2 → 32 → capped 31 → 15; 0.5 → 17 → 1; −0.5 → 16 → 0.
  CHECK(qdq("q5_0", block({-16.0f, 15.0f, 0.5f, -0.5f, 15.7f})) == block({-16.0f, 15.0f, 1.0f, 0.0f, 15.0f}));
  CHECK(qdq("q5_0", block({}, 2.3f)) == block({}, 2.30078125f));  // fp16(−0.14375) = −0.143798828125, × −16
}

TEST_CASE("q4_1 and q5_1: min and range, fp16 d and m", "[lib][quant][kv_types]") {
  // min 0, max 15 → d = 1: 0.5 → 1, 14.5 → 15, 2.49 → 2, 7.5 → 8 (round half up).
  CHECK(qdq("q4_1", block({0.0f, 15.0f, 0.5f, 14.5f, 2.49f, 7.5f}, 3.0f)) ==
        block({0.0f, 15.0f, 1.0f, 15.0f, 2.0f, 8.0f}, 3.0f));
  // min 0.1: codes use the fp32 min, the stored m = fp16(0.1) = 0.0999755859375 shifts every value.
  CHECK(qdq("q4_1", block({0.1f, 15.1f}, 0.1f)) == block({0.0999755859375f, 15.0999755859375f}, 0.0999755859375f));
  // Constant block: d = 0, every code 0 → x̂ = fp16(2.3) = 2.30078125.
  CHECK(qdq("q4_1", block({}, 2.3f)) == block({}, 2.30078125f));
  // q5_1: min 0, max 31 → d = 1; 30.5 → 31, 0.5 → 1, 10.49 → 10.
  CHECK(qdq("q5_1", block({0.0f, 31.0f, 30.5f, 0.5f, 10.49f})) == block({0.0f, 31.0f, 31.0f, 1.0f, 10.0f}));
  CHECK(qdq("q5_1", block({}, 2.3f)) == block({}, 2.30078125f));
}

TEST_CASE("legacy types reproduce values on their grid exactly", "[lib][quant][kv_types]") {
  std::vector<float> q4_0(32), q5_0(32), q4_1(32), q5_1(32), q8_0(32);
  for (int j = 0; j < 32; ++j) {
    q4_0[j] = float(j % 16 - 8) * 0.25f;      // d = −2/−8 = 0.25, codes 0..15
    q5_0[j] = float(j - 16) * 0.125f;         // d = −2/−16 = 0.125, codes 0..31
    q4_1[j] = -1.5f + float(j % 16) * 0.25f;  // min −1.5, d = 3.75/15 = 0.25
    q5_1[j] = -3.0f + float(j) * 0.125f;      // min −3, d = 3.875/31 = 0.125
    q8_0[j] = float(j - 16) * 0.5f;
  }
  q8_0[0] = -127.0f * 0.5f;  // amax 63.5 → d = 0.5
  CHECK(qdq("q4_0", q4_0) == q4_0);
  CHECK(qdq("q5_0", q5_0) == q5_0);
  CHECK(qdq("q4_1", q4_1) == q4_1);
  CHECK(qdq("q5_1", q5_1) == q5_1);
  CHECK(qdq("q8_0", q8_0) == q8_0);
}

TEST_CASE("legacy types: zero blocks stay zero and blocks are independent", "[lib][quant][kv_types]") {
  for (const char* name : {"q8_0", "q5_1", "q5_0", "q4_1", "q4_0"}) {
    INFO(name);
    CHECK(qdq(name, block({})) == block({}));
    // Two blocks: the second block's large values do not change the first block's scale.
    std::vector<float> two = block({-8.0f, 1.0f, 0.0f, 7.0f}, 0.0f);
    std::vector<float> second(32, 1000.0f);
    second[0] = -3000.0f;
    two.insert(two.end(), second.begin(), second.end());
    const std::vector<float> y = qdq(name, two);
    const std::vector<float> first = qdq(name, std::vector<float>(two.begin(), two.begin() + 32));
    CHECK(std::vector<float>(y.begin(), y.begin() + 32) == first);
  }
}
