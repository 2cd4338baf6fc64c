// engine_layer_errors (calibration/profiler/engine_layer_errors.h) against a plain per-query reference in
// double precision on the same fake-quantized cache, and its exact cases (unquantized, K-only, V-only).
#include "tests/calibration/profiler_test_util.h"  // first: Catch2 after ATen (glog defines CHECK)

#include <cmath>

#include "calibration/profiler/engine_layer_errors.h"
#include "lib/core/error.h"
#include "lib/quant/kv_type_tensor.h"

using namespace kvt;
using kvt::profile::EngineTypePair;

namespace {

struct Inputs {
  at::Tensor q, k, v;
};

Inputs random_inputs(int64_t heads, int64_t kv_heads, int64_t tokens, int64_t dim, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return {at::randn({heads, tokens, dim}, gen), at::randn({kv_heads, tokens, dim}, gen) * 2.0,
          at::randn({kv_heads, tokens, dim}, gen)};
}

// Per query (head h, token t ≥ first_row): softmax over visible keys in double, ‖ô − o‖ / ‖o‖; averaged.
double reference_e_o(const Inputs& in, const at::Tensor& kq, const at::Tensor& vq, int64_t first_row, int64_t window) {
  const int64_t heads = in.q.size(0), tokens = in.q.size(1), dim = in.q.size(2), group = heads / in.k.size(0);
  at::Tensor q = in.q.to(at::kDouble), k = in.k.to(at::kDouble), v = in.v.to(at::kDouble);
  at::Tensor k2 = kq.to(at::kDouble), v2 = vq.to(at::kDouble);
  double sum = 0;
  int64_t count = 0;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t t = first_row; t < tokens; ++t) {
      const int64_t s0 = window > 0 ? std::max<int64_t>(0, t - window + 1) : 0;
      auto attend = [&](const at::Tensor& keys, const at::Tensor& values) {
        at::Tensor kk = keys[h / group].narrow(0, s0, t + 1 - s0), vv = values[h / group].narrow(0, s0, t + 1 - s0);
        at::Tensor p = at::softmax(at::mv(kk, q[h][t]) / std::sqrt(double(dim)), 0);
        return at::mv(vv.t(), p);
      };
      at::Tensor o = attend(k, v), oq = attend(k2, v2);
      sum += ((oq - o).norm() / o.norm()).item<double>();
      ++count;
    }
  return sum / double(count);
}

}  // namespace

TEST_CASE("engine layer errors match a per-query reference for q4_0 keys and q8_0 values") {
  const quant::KvType& q4 = quant::find_kv_type("q4_0");
  const quant::KvType& q8 = quant::find_kv_type("q8_0");
  Inputs in = random_inputs(4, 2, 9, 32, 7);
  at::Tensor kq = quant::fake_quantize(q4, in.k), vq = quant::fake_quantize(q8, in.v);
  for (int64_t window : {0, 4}) {
    bool evaluated = false;
    auto errors =
        profile::engine_layer_errors(in.q, in.k, in.v, {{&q4, &q8}, {nullptr, nullptr}}, 3, window, {}, &evaluated);
    REQUIRE(evaluated);
    REQUIRE(errors.size() == 2);
    const double expected = reference_e_o(in, kq, vq, 3, window);
    CHECK(expected > 0);
    CHECK(errors[0].e_o == Approx(expected).epsilon(1e-4));
    // e_k: mean over rows of the relative error of the same fake-quantized keys.
    const double e_k = (at::linalg_vector_norm(kq - in.k, 2, at::IntArrayRef{-1}) /
                        at::linalg_vector_norm(in.k, 2, at::IntArrayRef{-1}))
                           .mean()
                           .item<double>();
    CHECK(errors[0].e_k == Approx(e_k).epsilon(1e-6));
    CHECK(errors[0].e_a > 0);
    // The unquantized candidate changes nothing.
    CHECK(errors[1].e_o == 0);
    CHECK(errors[1].e_k == 0);
    CHECK(errors[1].e_v == 0);
    CHECK(errors[1].e_a == 0);
  }
}

TEST_CASE("engine layer errors: K-only and V-only candidates, and no evaluated query") {
  const quant::KvType& fp8 = quant::find_kv_type("fp8_e4m3");
  Inputs in = random_inputs(2, 2, 6, 32, 11);
  auto errors = profile::engine_layer_errors(in.q, in.k, in.v, {{&fp8, nullptr}, {nullptr, &fp8}}, 0);
  CHECK(errors[0].e_v == 0);
  CHECK(errors[0].e_k > 0);
  CHECK(errors[0].e_o > 0);
  CHECK(errors[1].e_k == 0);
  CHECK(errors[1].e_a == 0);  // values do not change the attention weights
  CHECK(errors[1].e_o == Approx(reference_e_o(in, in.k, quant::fake_quantize(fp8, in.v), 0, 0)).epsilon(1e-4));
  bool evaluated = true;
  auto none = profile::engine_layer_errors(in.q, in.k, in.v, {{&fp8, &fp8}}, 6, 0, {}, &evaluated);
  CHECK_FALSE(evaluated);
  CHECK(none[0].e_o == 0);
  CHECK(none[0].e_k > 0);
  CHECK_THROWS_AS(profile::engine_layer_errors(in.q, in.k, in.v, {{&fp8, &fp8}}, -1), InputError);
}
