// Storage accounting on hand-computed cases.
#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include "lib/quant/scheme_registry.h"
#include "lib/quant/storage.h"

using namespace kvt::quant;

TEST_CASE("per-token-asym storage: codes plus a 16-bit scale and zero-point per token and head", "[lib][quant]") {
  // T = 10, H_kv = 2, D = 8, 4 bits: 160 elements → 80 code bytes; 20 groups × 4 bytes = 80; no residual.
  TensorStorage s = tensor_storage(lookup_scheme("per-token-asym").key, 4, 10, 2, 8);
  CHECK(s.elements == 160);
  CHECK(s.quantized_tokens == 10);
  CHECK(s.groups == 20);
  CHECK(s.code_bytes == 80.0);
  CHECK(s.param_bytes == 80.0);
  CHECK(s.residual_bytes == 0.0);
  CHECK(s.effective_bits() == 8.0);  // 4 nominal + 32/D = 4 bits of scale and zero-point
}

TEST_CASE("kivi storage counts the full-precision residual tail", "[lib][quant]") {
  // T = 100, H_kv = 1, D = 64, 2 bits: 96 tokens in 3 flush blocks of 32, 4 tokens at 16 bits.
  // K: 6144 quantized elements → 1536 code bytes, 6144/32 = 192 groups → 768 bytes, residual 4·64·2 = 512.
  QuantScheme kivi = lookup_scheme("kivi");
  PairStorage p = pair_storage(kivi, {2, 2}, 100, 1, 64);
  for (const TensorStorage* s : {&p.key, &p.value}) {
    CHECK(s->quantized_tokens == 96);
    CHECK(s->groups == 192);
    CHECK(s->code_bytes == 1536.0);
    CHECK(s->param_bytes == 768.0);
    CHECK(s->residual_bytes == 512.0);
    CHECK(s->effective_bits() == Approx(8.0 * 2816 / 6400));
  }
  CHECK(p.bytes_per_token() == Approx(2 * 2816 / 100.0));
  CHECK(p.nominal_bits() == 2.0);
}

TEST_CASE("full precision, symmetric and mixed pairs", "[lib][quant]") {
  TensorQuantSpec sym{QuantAxis::PerToken, 16, 0, true};
  TensorStorage s = tensor_storage(sym, 8, 3, 1, 32);  // 96 elements, 6 groups with a scale only
  CHECK(s.param_bytes == 12.0);
  CHECK(s.code_bytes == 96.0);
  TensorStorage fp = tensor_storage(sym, 16, 3, 1, 32);
  CHECK(fp.total_bytes() == 192.0);
  CHECK(fp.effective_bits() == 16.0);
  PairStorage mixed = pair_storage(lookup_scheme("per-token-asym"), {8, 4}, 4, 2, 128);
  CHECK(mixed.key.effective_bits() == 8.25);
  CHECK(mixed.value.effective_bits() == 4.25);
  CHECK(mixed.effective_bits() == 6.25);
  CHECK(mixed.nominal_bits() == 6.0);
}
