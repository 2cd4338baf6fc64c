// Tensor entry point of the engine KV-cache types (lib/quant/kv_type_tensor.h).
#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include "lib/core/error.h"
#include "lib/quant/kv_type_tensor.h"

using namespace kvt::quant;

namespace {
std::vector<float> row_of(const at::Tensor& t, int64_t h, int64_t tok) {
  at::Tensor r = t[h][tok].contiguous();
  return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
}
}  // namespace

TEST_CASE("fake_quantize applies the row reference to every [head, token] row", "[lib][quant][kv_types]") {
  const at::Tensor x = kvt::test::random_normal({2, 3, 64}, 7) * 3.0;
  for (const auto& t : kv_types()) {
    const at::Tensor y = fake_quantize(t, x);
    REQUIRE(y.sizes() == x.sizes());
    KvTypeParams p;
    if (t.global_scale_from_amax) p.global_scale = x.abs().max().item<float>() / (6.0f * 448.0f);
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t tok = 0; tok < 3; ++tok) CHECK(row_of(y, h, tok) == fake_quantize_row(t, row_of(x, h, tok), p));
  }
}

TEST_CASE("fake_quantize on a non-contiguous tensor equals the contiguous result", "[lib][quant][kv_types]") {
  const at::Tensor x = kvt::test::random_normal({3, 2, 32}, 11).transpose(0, 1);
  const KvType& q4 = find_kv_type("q4_0");
  CHECK(at::equal(fake_quantize(q4, x), fake_quantize(q4, x.contiguous())));
}

TEST_CASE("nvfp4's global scale comes from the whole tensor", "[lib][quant][kv_types]") {
  // Head 0 holds amax 2688 = 6 · 448, so s2 = 1 for the whole tensor. Head 1's block then has the scale
  // fp8(0.6 / 6) = 13 · 2^-7 = 0.1015625, and 0.3 / 0.1015625 = 2.95 → e2m1 3 → 0.3046875. Derived from head 1's
  // row alone, s2 = 0.6 / 2688 and the block scale is 448: 0.3 → 3 · 0.1 ≈ 0.3.
  at::Tensor x = at::zeros({2, 1, 16});
  x[0][0][0] = 2688.0f;
  x[1][0][0] = 0.6f;
  x[1][0][1] = 0.3f;
  const at::Tensor y = fake_quantize(find_kv_type("nvfp4"), x);
  CHECK(y[1][0][1].item<float>() == 0.3046875f);
  CHECK(y[1][0][0].item<float>() == 0.609375f);  // 0.6 / 0.1015625 = 5.9 → 6
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), row_of(x, 1, 0))[1] != 0.3046875f);
}

TEST_CASE("fake_quantize refuses tensors that are not fp32 [H_kv, T, D]", "[lib][quant][kv_types]") {
  const KvType& q8 = find_kv_type("q8_0");
  CHECK_THROWS_WITH(fake_quantize(q8, at::zeros({4, 32})), Catch::Contains("[kvt.input.406]"));
  CHECK_THROWS_WITH(fake_quantize(q8, at::zeros({1, 4, 32}, at::kDouble)), Catch::Contains("[kvt.input.433]"));
  CHECK_THROWS_WITH(fake_quantize(q8, at::zeros({1, 4, 48})), Catch::Contains("[kvt.input.431]"));
  CHECK(fake_quantize(q8, at::zeros({1, 0, 32})).numel() == 0);
}
