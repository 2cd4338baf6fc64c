#include "calibration/profiler/engine_layer_errors.h"

#include <cmath>
#include <limits>
#include <map>

#include "lib/core/error.h"
#include "lib/quant/kv_type_tensor.h"
#include "lib/quant/quantized_attention.h"

namespace kvt::profile {

namespace {

constexpr double kNormFloor = 1e-30;

at::Tensor row_norms(const at::Tensor& x) { return at::linalg_vector_norm(x, 2, at::IntArrayRef{-1}); }

double mean_relative_error(const at::Tensor& x, const at::Tensor& xq) {
  if (xq.is_same(x) || x.numel() == 0) return 0.0;
  return (row_norms(xq - x) / row_norms(x).clamp_min(kNormFloor)).mean().item<double>();
}

}  // namespace

std::vector<PairErrors> engine_layer_errors(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                            const std::vector<EngineTypePair>& candidates, int64_t first_row,
                                            int64_t sliding_window, const quant::KvTypeParams& params,
                                            bool* evaluated) {
  quant::check_attention_shapes(q, k, v);
  if (first_row < 0 || sliding_window < 0)
    throw InputError("engine profile: first_row and sliding_window must be >= 0", 422);
  const int64_t heads = q.size(0), tokens = q.size(1), dim = q.size(2), kvh = k.size(0), group = heads / kvh;
  at::Tensor kf = k.to(at::kFloat).cpu().contiguous(), vf = v.to(at::kFloat).cpu().contiguous();

  // Each distinct type once per tensor (nullptr: the tensor itself).
  std::map<const quant::KvType*, at::Tensor> k_hat, v_hat;
  auto quantized = [&](std::map<const quant::KvType*, at::Tensor>& cache, const quant::KvType* type,
                       const at::Tensor& x) -> const at::Tensor& {
    auto it = cache.find(type);
    if (it == cache.end()) it = cache.emplace(type, type ? quant::fake_quantize(*type, x, params) : x).first;
    return it->second;
  };
  std::vector<PairErrors> out(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    out[c].e_k = mean_relative_error(kf, quantized(k_hat, candidates[c].key, kf));
    out[c].e_v = mean_relative_error(vf, quantized(v_hat, candidates[c].value, vf));
    out[c].e_o_per_head.assign(size_t(kvh), 0.0);
  }
  const bool any = first_row < tokens;
  if (evaluated) *evaluated = any;
  if (!any) return out;

  const int64_t n = tokens - first_row;
  at::Tensor qs = (q.to(at::kFloat).cpu() / std::sqrt(double(dim)))
                      .contiguous()
                      .view({kvh, group, tokens, dim})
                      .narrow(2, first_row, n)
                      .reshape({kvh, group * n, dim});
  // Visibility of key s to query t = first_row + i: s ≤ t and (no window or s > t − window).
  at::Tensor rows = at::arange(first_row, tokens, at::kLong).unsqueeze(1), cols = at::arange(tokens, at::kLong);
  at::Tensor visible = cols.le(rows);
  if (sliding_window > 0) visible = visible.logical_and(cols.gt(rows - sliding_window));
  at::Tensor bias =
      at::zeros({n, tokens}, at::kFloat).masked_fill(visible.logical_not(), -std::numeric_limits<float>::infinity());
  const double visible_entries = visible.sum().item<double>();
  auto probabilities = [&](const at::Tensor& keys) {  // [H_kv, g·n, T]
    at::Tensor s = at::bmm(qs, keys.transpose(1, 2)).view({kvh, group, n, tokens}) + bias;
    return at::softmax(s, -1).reshape({kvh, group * n, tokens});
  };
  at::Tensor probs = probabilities(kf);
  at::Tensor o = at::bmm(probs, vf);
  at::Tensor o_norm = row_norms(o).clamp_min(kNormFloor);
  std::map<const quant::KvType*, at::Tensor> probs_q;
  for (size_t c = 0; c < candidates.size(); ++c) {
    auto it = probs_q.find(candidates[c].key);
    if (it == probs_q.end())
      it = probs_q.emplace(candidates[c].key, candidates[c].key ? probabilities(k_hat.at(candidates[c].key)) : probs)
               .first;
    const at::Tensor& pq = it->second;
    out[c].e_a = pq.is_same(probs) ? 0.0 : (pq - probs).abs().sum().item<double>() / (visible_entries * double(heads));
    if (!candidates[c].key && !candidates[c].value) continue;  // ô = o exactly
    at::Tensor oq = at::bmm(pq, v_hat.at(candidates[c].value));
    at::Tensor per_head = (row_norms(oq - o) / o_norm).mean(1).to(at::kDouble);  // [H_kv]
    double total = 0;
    for (int64_t h = 0; h < kvh; ++h) {
      out[c].e_o_per_head[size_t(h)] = per_head[h].item<double>();
      total += out[c].e_o_per_head[size_t(h)];
    }
    out[c].e_o = total / double(kvh);
  }
  return out;
}

}  // namespace kvt::profile
