// llama.cpp's iq4_nl as a KV-cache type (docs/engine-types.md §5): 32-element blocks, one fp16 scale d and
// 4-bit indices into the non-linear codebook kvalues_iq4nl = {−127, −104, −83, −65, −49, −35, −22, −10,
// 1, 13, 25, 38, 53, 69, 89, 113} (ggml/src/ggml-common.h). The arithmetic is ggml's reference quantizer
// `quantize_row_iq4_nl_ref` (ggml/src/ggml-quants.c), i.e. `quantize_row_iq4_nl_impl` with super block =
// block = 32, no importance weights and ntry = −1, in IEEE single precision:
//   w_j = x_j²;  max = the signed value of largest |x| (`ax > amax`);  amax < 1e-15 → d = 0, all indices 0
//   d0 = max / −127;  id = 1 / d0;  l_j = best_index(id · x_j)
//   sumqx = Σ (w_j · v_l) · x_j,  sumq2 = Σ (w_j · v_l) · v_l  (j = 0..31, in order);  d = sumq2 > 0 ? sumqx/sumq2 : 0
//   (ntry = −1: no scale search, no re-assignment of the indices after the least-squares d)
//   x̂_j = fp16(d) · v_{l_j}
// best_index(x): the level i where x + x ≥ v[i−1] + v[i] last holds (branch-free binary search over the
// sorted table): nearest level, a tie goes to the larger one; below −127 → 0, above 113 → 15, NaN → 0.
#include <cmath>
#include <cstdint>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

namespace {

constexpr int kBlock = 32;
constexpr int8_t kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

int best_index(float x) {
  const float x2 = x + x;
  int idx = 0;
  for (int step = 8; step > 0; step >>= 1) {
    const int j = idx + step;
    idx = (x2 >= float(kValues[j - 1] + kValues[j])) ? j : idx;
  }
  return idx;
}

void qdq_iq4_nl(const float* x, float* out, int64_t n, const KvTypeParams&) {
  for (int64_t b = 0; b < n; b += kBlock) {
    const float* xb = x + b;
    float weight[kBlock];
    int l[kBlock];
    for (int j = 0; j < kBlock; ++j) weight[j] = xb[j] * xb[j];
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kBlock; ++j) {
      const float ax = std::fabs(xb[j]);
      if (ax > amax) {
        amax = ax;
        max = xb[j];
      }
    }
    float d = 0.0f;
    if (amax < 1e-15f) {
      for (int j = 0; j < kBlock; ++j) l[j] = 0;
    } else {
      const float d0 = max / kValues[0];
      const float id = 1.0f / d0;
      float sumqx = 0.0f, sumq2 = 0.0f;
      for (int j = 0; j < kBlock; ++j) {
        const float al = id * xb[j];
        l[j] = best_index(al);
        const float q = kValues[l[j]];
        const float wq = weight[j] * q;
        const float wqx = wq * xb[j];
        const float wqq = wq * q;
        sumqx += wqx;
        sumq2 += wqq;
      }
      d = sumq2 > 0.0f ? sumqx / sumq2 : 0.0f;
    }
    const float dh = round_to_fp16(d);
    for (int j = 0; j < kBlock; ++j) out[b + j] = dh * float(kValues[l[j]]);
  }
}

}  // namespace

KvType ggml_iq4_nl_kv_type() {
  return {"iq4_nl",
          "llama.cpp iq4_nl: 32-element blocks, 4-bit indices into a 16-level non-linear codebook, fp16 scale "
          "from a weighted least-squares fit (4.5 bits)",
          KvGranularity::PerBlock,
          kBlock,
          4,
          16,
          0,
          &qdq_iq4_nl,
          false};
}

}  // namespace kvt::quant
