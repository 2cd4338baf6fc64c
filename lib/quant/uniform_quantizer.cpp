#include "lib/quant/uniform_quantizer.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lib/core/error.h"
#include "lib/quant/quant_spec.h"

namespace kvt::quant {

namespace {

// KVTuner reference (vanilla_quantizer.py): the range, or max |x| when symmetric, is floored at 1e-5.
constexpr double kRangeFloor = 1e-5;

struct GroupParams {
  at::Tensor scale;       // fp32, group_dim of size 1
  at::Tensor zero_point;  // fp32 integer-valued (asymmetric) or undefined (symmetric)
  at::Tensor constant;    // bool
  at::Tensor minimum;     // fp32: the value of a constant group
};

GroupParams group_params(const at::Tensor& xf, int64_t group_dim, int bits, bool symmetric) {
  auto [mn, mx] = at::aminmax(xf, group_dim, /*keepdim=*/true);
  GroupParams p;
  p.constant = at::eq(mn, mx);
  p.minimum = mn;
  if (symmetric) {
    p.scale = at::maximum(mn.abs(), mx.abs()).clamp_min_(kRangeFloor).div_(double(code_max(bits)));
  } else {
    p.scale = (mx - mn).clamp_min_(kRangeFloor).div_(double((1 << bits) - 1));
    p.zero_point = at::round(mn / p.scale).sub_(double(code_min(bits)));
  }
  return p;
}

// Signed codes q (fp32, integer-valued) for xf under p.
at::Tensor codes_of(const at::Tensor& xf, const GroupParams& p, int bits) {
  at::Tensor t = xf / p.scale;
  if (p.zero_point.defined()) t.sub_(p.zero_point);
  return t.round_().clamp_(double(code_min(bits)), double(code_max(bits)));
}

// x̂ = (q + z)·s in place on q, then constant groups restored exactly.
at::Tensor dequantize_codes(at::Tensor q, const GroupParams& p) {
  if (p.zero_point.defined()) q.add_(p.zero_point);
  q.mul_(p.scale);
  return at::where(p.constant, p.minimum, q);
}

at::Tensor to_float(const at::Tensor& x) {
  if (!x.is_floating_point())
    throw InputError(
        "fake quantization needs a floating-point tensor, got " + std::string(c10::toString(x.scalar_type())), 404);
  return x.scalar_type() == at::kFloat ? x : x.to(at::kFloat);
}

// clamp(round(t), q_min, q_max) with round half to even, inline: t is first clamped to [q_min − 1, q_max + 1]
// (which cannot change the clamped result), then rounded by adding and subtracting 1.5·2^23, which leaves
// t + 1.5·2^23 in [2^23, 2^24) where the float spacing is 1, so the default round-to-nearest-even mode does
// the rounding (std::nearbyint is a library call per element without SSE4.1).
inline float round_to_code(float t, float q_min, float q_max) {
  constexpr float kMagic = 12582912.0f;  // 1.5 · 2^23
  t = std::min(std::max(t, q_min - 1.0f), q_max + 1.0f);
  const float shifted = t + kMagic;  // needs IEEE semantics: no -ffast-math (the bit-identity test would fail)
  return std::min(std::max(shifted - kMagic, q_min), q_max);
}

// The CPU fast path: one pass per group over contiguous fp32 memory viewed as [outer, G, inner] (group along
// the middle axis). The same IEEE float operations in the same order as the ATen path (x/s − z, round half to
// even by nearbyint, clamp, + z, · s), so the results are bit-identical (tested).
at::Tensor fake_quantize_cpu(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric) {
  const int64_t group = x.size(group_dim);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < group_dim; ++d) outer *= x.size(d);
  for (int64_t d = group_dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  at::Tensor out = at::empty_like(x);
  if (x.numel() == 0) return out;
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const float floor = float(kRangeFloor), levels = float((1 << bits) - 1);
  const float q_min = float(code_min(bits)), q_max = float(code_max(bits));
  auto group_params = [&](float lo, float hi, float& scale, float& zero) {
    if (symmetric) {
      scale = std::max(std::max(std::fabs(lo), std::fabs(hi)), floor) / q_max;
      zero = 0.0f;
    } else {
      scale = std::max(hi - lo, floor) / levels;
      zero = std::nearbyint(lo / scale) - q_min;  // once per group: the library call is fine here
    }
  };
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, group * inner));
  if (inner == 1) {  // per-token layout: each group is `group` contiguous floats
    at::parallel_for(0, outer, grain, [&](int64_t b0, int64_t b1) {
      for (int64_t o = b0; o < b1; ++o) {
        const float* g = src + o * group;
        float* d = dst + o * group;
        float lo_lanes[8], hi_lanes[8];  // independent lanes: vectorizable, no serial min/max chain
        for (int l = 0; l < 8; ++l) lo_lanes[l] = hi_lanes[l] = g[0];
        int64_t i = 0;
        for (; i + 8 <= group; i += 8)
          for (int l = 0; l < 8; ++l)
            lo_lanes[l] = std::min(lo_lanes[l], g[i + l]), hi_lanes[l] = std::max(hi_lanes[l], g[i + l]);
        for (; i < group; ++i) lo_lanes[0] = std::min(lo_lanes[0], g[i]), hi_lanes[0] = std::max(hi_lanes[0], g[i]);
        float lo = lo_lanes[0], hi = hi_lanes[0];
        for (int l = 1; l < 8; ++l) lo = std::min(lo, lo_lanes[l]), hi = std::max(hi, hi_lanes[l]);
        if (lo == hi) {
          std::fill(d, d + group, lo);
          continue;
        }
        float sc, z;
        group_params(lo, hi, sc, z);
        for (int64_t k = 0; k < group; ++k) d[k] = (round_to_code(g[k] / sc - z, q_min, q_max) + z) * sc;
      }
    });
    return out;
  }
  // Groups along a middle axis (per-channel layout): reduce and quantize `inner` groups side by side.
  at::parallel_for(0, outer, grain, [&](int64_t b0, int64_t b1) {
    const size_t n = static_cast<size_t>(inner);
    std::vector<float> mn(n), mx(n), scale(n), zero(n);
    for (int64_t o = b0; o < b1; ++o) {
      const float* g = src + o * group * inner;
      float* d = dst + o * group * inner;
      std::copy(g, g + inner, mn.begin());
      std::copy(g, g + inner, mx.begin());
      for (int64_t i = 1; i < group; ++i) {
        const float* row = g + i * inner;
        for (size_t j = 0; j < n; ++j) mn[j] = std::min(mn[j], row[j]), mx[j] = std::max(mx[j], row[j]);
      }
      for (size_t j = 0; j < n; ++j) group_params(mn[j], mx[j], scale[j], zero[j]);
      for (int64_t i = 0; i < group; ++i) {
        const float* row = g + i * inner;
        float* out_row = d + i * inner;
        for (size_t j = 0; j < n; ++j)
          out_row[j] = (round_to_code(row[j] / scale[j] - zero[j], q_min, q_max) + zero[j]) * scale[j];
      }
      for (size_t j = 0; j < n; ++j)  // constant groups (rare) are exact
        if (mn[j] == mx[j])
          for (int64_t i = 0; i < group; ++i) d[i * inner + int64_t(j)] = mn[j];
    }
  });
  return out;
}

}  // namespace

namespace detail {

at::Tensor fake_quantize_groups_aten(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric) {
  at::Tensor xf = to_float(x);
  GroupParams p = group_params(xf, group_dim, bits, symmetric);
  at::Tensor xq = dequantize_codes(codes_of(xf, p, bits), p);
  return xq.scalar_type() == x.scalar_type() ? xq : xq.to(x.scalar_type());
}

}  // namespace detail

int code_min(int bits) { return -(1 << (bits - 1)); }
int code_max(int bits) { return (1 << (bits - 1)) - 1; }

QuantizedGroups quantize_groups(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric) {
  check_quant_bits(bits, symmetric);
  KVT_ASSERT(bits != 16, "quantize_groups needs 1..8 bits");
  at::Tensor xf = to_float(x);
  GroupParams p = group_params(xf, group_dim, bits, symmetric);
  at::Tensor q = codes_of(xf, p, bits);
  QuantizedGroups out;
  out.codes = q.to(at::kChar);
  out.scale = p.scale;
  out.zero_point = p.zero_point.defined() ? p.zero_point : at::zeros_like(p.scale);
  out.constant = p.constant;
  out.dequantized = dequantize_codes(q, p);
  return out;
}

at::Tensor fake_quantize_groups(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric) {
  check_quant_bits(bits, symmetric);
  if (bits == 16) return x;
  if (group_dim < 0) group_dim += x.dim();
  if (x.device().is_cpu() && x.is_floating_point()) {
    at::Tensor xf = to_float(x).contiguous();
    at::Tensor xq = fake_quantize_cpu(xf, group_dim, bits, symmetric);
    return xq.scalar_type() == x.scalar_type() ? xq : xq.to(x.scalar_type());
  }
  return detail::fake_quantize_groups_aten(x, group_dim, bits, symmetric);
}

}  // namespace kvt::quant
