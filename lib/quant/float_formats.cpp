#include "lib/quant/float_formats.h"

#include <cmath>
#include <limits>

namespace kvt::quant {

namespace {

// Rounds a finite |x| to `mantissa_bits` fraction bits with normal exponents from `min_exponent` up, in double:
// |x| / quantum is exact (a power-of-two scaling of a float), and nearbyint rounds to nearest even in the default
// rounding mode. The result may exceed the format's largest finite value; the caller decides what overflow does.
double round_magnitude(double ax, int mantissa_bits, int min_exponent) {
  int e = 0;
  std::frexp(ax, &e);  // ax = f · 2^e, f ∈ [0.5, 1): the leading bit has weight 2^(e-1)
  const int lead = std::max(e - 1, min_exponent);
  const double quantum = std::ldexp(1.0, lead - mantissa_bits);
  return std::nearbyint(ax / quantum) * quantum;
}

float round_ieee(float x, int mantissa_bits, int min_exponent, double max_finite) {
  if (std::isnan(x) || x == 0.0f || std::isinf(x)) return x;
  const double r = round_magnitude(std::fabs(double(x)), mantissa_bits, min_exponent);
  const float inf = std::numeric_limits<float>::infinity();
  const float m = r > max_finite ? inf : float(r);
  return std::signbit(x) ? -m : m;
}

}  // namespace

float round_to_fp16(float x) { return round_ieee(x, 10, -14, 65504.0); }

float round_to_bf16(float x) { return round_ieee(x, 7, -126, 3.3895313892515355e38); }

float fp8_max(Fp8Format format) { return format == Fp8Format::E4M3FN ? 448.0f : 57344.0f; }

float round_to_fp8(float x, Fp8Format format, Fp8Overflow overflow) {
  if (std::isnan(x)) return x;
  const bool e4m3 = format == Fp8Format::E4M3FN;
  const double max = fp8_max(format);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  double r;
  if (std::isinf(x)) {
    r = std::numeric_limits<double>::infinity();
  } else if (x == 0.0f) {
    return x;
  } else {
    r = e4m3 ? round_magnitude(std::fabs(double(x)), 3, -6) : round_magnitude(std::fabs(double(x)), 2, -14);
  }
  float m;
  if (r <= max) {
    m = float(r);
  } else if (overflow == Fp8Overflow::Saturate) {
    m = float(max);
  } else {
    m = e4m3 ? nan : inf;  // torch: e4m3fn has no infinity, its overflow is the NaN code 0x7F
  }
  if (std::isnan(m)) return m;
  return std::signbit(x) ? -m : m;
}

}  // namespace kvt::quant
