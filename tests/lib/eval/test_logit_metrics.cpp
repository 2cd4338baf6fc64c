// Logit comparison (lib/eval/logit_metrics.h) against hand-written double loops.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "lib/core/error.h"
#include "lib/eval/logit_metrics.h"

using namespace kvt::eval;

namespace {

// log-softmax of one row, straight from the definition.
std::vector<double> log_softmax_row(const at::Tensor& logits, int64_t row) {
  const int64_t v = logits.size(1);
  double max = -INFINITY;
  for (int64_t j = 0; j < v; ++j) max = std::max(max, double(logits[row][j].item<float>()));
  double sum = 0;
  for (int64_t j = 0; j < v; ++j) sum += std::exp(double(logits[row][j].item<float>()) - max);
  std::vector<double> out(static_cast<size_t>(v), 0.0);
  for (int64_t j = 0; j < v; ++j) out[size_t(j)] = double(logits[row][j].item<float>()) - max - std::log(sum);
  return out;
}

}  // namespace

TEST_CASE("KL, NLL and top-1 agreement match a direct computation", "[lib][eval]") {
  at::manual_seed(3);
  const int64_t length = 6, vocab = 7, prompt = 2;
  at::Tensor fp = at::randn({length, vocab}) * 2.0, quant = fp + 0.7 * at::randn({length, vocab});
  std::vector<int64_t> ids = {1, 4, 0, 6, 2, 5};
  ScoredSpan span = scored_span(length, prompt);
  REQUIRE(span.first_target == 2);
  REQUIRE(span.count == 4);

  double kl = 0, nll = 0, fp_nll = 0;
  int64_t matches = 0;
  for (int64_t t = span.first_target; t < length; ++t) {
    auto lp = log_softmax_row(fp, t - 1), lq = log_softmax_row(quant, t - 1);
    for (size_t j = 0; j < lp.size(); ++j) kl += std::exp(lp[j]) * (lp[j] - lq[j]);
    nll -= lq[size_t(ids[size_t(t)])];
    fp_nll -= lp[size_t(ids[size_t(t)])];
    matches +=
        std::max_element(lp.begin(), lp.end()) - lp.begin() == std::max_element(lq.begin(), lq.end()) - lq.begin();
  }
  ReferenceLogits ref = make_reference(fp, ids, span);
  SequenceScore s = compare_with_reference(quant, ref);
  CHECK(s.tokens == 4);
  // Both in double over a few positions and a small vocabulary: ~V·2^-53 ≈ 1e-14 relative; 1e-12 leaves room.
  CHECK(s.kl_sum == Approx(kl).epsilon(1e-12));
  CHECK(s.nll_sum == Approx(nll).epsilon(1e-12));
  CHECK(s.top1_matches == matches);
  SequenceScore self = score_reference(ref);
  CHECK(self.nll_sum == Approx(fp_nll).epsilon(1e-12));
  CHECK(self.kl_sum == 0.0);
  CHECK(self.top1_matches == 4);
}

TEST_CASE("KL is non-negative, and exactly zero for identical logits", "[lib][eval]") {
  at::manual_seed(11);
  std::vector<int64_t> ids(40, 3);
  for (int trial = 0; trial < 20; ++trial) {
    at::Tensor fp = at::randn({40, 50}) * (1 + trial % 4);
    // Small and large perturbations: the small ones probe rounding near KL = 0.
    at::Tensor quant = fp + (trial % 2 ? 1e-4 : 1.0) * at::randn({40, 50});
    ReferenceLogits ref = make_reference(fp, ids, scored_span(40, 10));
    CHECK(compare_with_reference(quant, ref).kl_sum >= 0.0);
    SequenceScore same = compare_with_reference(fp.clone(), ref);
    CHECK(same.kl_sum == 0.0);
    CHECK(same.top1_matches == same.tokens);
    CHECK(same.nll_sum == score_reference(ref).nll_sum);
  }
}

TEST_CASE("scored span: token 0 has no prediction", "[lib][eval]") {
  CHECK(scored_span(5, 0).first_target == 1);
  CHECK(scored_span(5, 0).count == 4);
  CHECK(scored_span(5, 3).first_target == 3);
  CHECK(scored_span(5, 3).count == 2);
}
