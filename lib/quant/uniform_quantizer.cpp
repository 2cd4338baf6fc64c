#include "lib/quant/uniform_quantizer.h"

#include <string>

#include "lib/core/error.h"

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
    throw InputError("fake quantization needs a floating-point tensor, got " + std::string(c10::toString(x.scalar_type())), 404);
  return x.scalar_type() == at::kFloat ? x : x.to(at::kFloat);
}

}  // namespace

int code_min(int bits) { return -(1 << (bits - 1)); }
int code_max(int bits) { return (1 << (bits - 1)) - 1; }

void check_quant_bits(int bits, bool symmetric) {
  if (bits == 16) return;
  if (bits < 1 || bits > 8)
    throw UnsupportedError("quantization to " + std::to_string(bits) + " bits: supported are 1..8 and 16 (no quantization)", 401);
  if (symmetric && bits < 2)
    throw UnsupportedError("symmetric quantization needs at least 2 bits (1 bit leaves q_max = 0), got 1", 402);
}

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
  at::Tensor xf = to_float(x);
  GroupParams p = group_params(xf, group_dim, bits, symmetric);
  at::Tensor xq = dequantize_codes(codes_of(xf, p, bits), p);
  return xq.scalar_type() == x.scalar_type() ? xq : xq.to(x.scalar_type());
}

}  // namespace kvt::quant
