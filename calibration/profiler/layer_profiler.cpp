#include "calibration/profiler/layer_profiler.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "lib/core/error.h"
#include "lib/quant/attention_masks.h"
#include "lib/quant/uniform_quantizer.h"

namespace kvt::profile {

namespace {

using quant::DecodeState;
using quant::PrefillMode;

// A norm floor for relative errors: a zero vector reconstructed exactly counts as 0.
constexpr double kNormFloor = 1e-30;

at::Tensor row_norms(const at::Tensor& x) { return at::linalg_vector_norm(x, 2, at::IntArrayRef{-1}); }

// Mean over vectors (KV head, token) of ‖x̂ − x‖₂ / ‖x‖₂.
double mean_relative_error(const at::Tensor& x, const at::Tensor& xq) {
  if (xq.is_same(x) || x.numel() == 0) return 0.0;
  return (row_norms(xq - x) / row_norms(x).clamp_min(kNormFloor)).mean().item<double>();
}

// Σ|a − b| over two same-shape fp32 tensors. On CPU one fused pass over contiguous memory (ATen's
// sub + abs + sum makes three, and e_a is computed on every score matrix); elsewhere ATen, summed on the device.
void add_l1_distance(const at::Tensor& a, const at::Tensor& b, double& host_sum, at::Tensor& device_sum) {
  if (!a.device().is_cpu() || !a.is_contiguous() || !b.is_contiguous() || a.scalar_type() != at::kFloat ||
      b.scalar_type() != at::kFloat) {
    device_sum += at::norm(a - b, 1).to(at::kDouble);
    return;
  }
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  host_sum += at::parallel_reduce(
      int64_t(0), a.numel(), int64_t(1) << 16, 0.0,
      [&](int64_t begin, int64_t end, double acc) {
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // independent lanes: vectorizable without reassociation
        int64_t i = begin;
        for (; i + 8 <= end; i += 8)
          for (int l = 0; l < 8; ++l) lanes[l] += std::fabs(pa[i + l] - pb[i + l]);
        for (; i < end; ++i) lanes[0] += std::fabs(pa[i] - pb[i]);
        for (float x : lanes) acc += double(x);
        return acc;
      },
      std::plus<double>());
}

int index_of(const std::vector<int>& v, int x) { return int(std::find(v.begin(), v.end(), x) - v.begin()); }

}  // namespace

LayerProfiler::LayerProfiler(const quant::QuantScheme& scheme, std::vector<PrecisionPair> pairs, int kv_heads,
                             int head_dim, int sliding_window, int64_t chunk_rows)
    : scheme_(scheme),
      pairs_(std::move(pairs)),
      kv_heads_(kv_heads),
      head_dim_(head_dim),
      sliding_window_(sliding_window),
      chunk_rows_(chunk_rows) {
  if (pairs_.empty()) throw InputError("profiler: no candidate pairs", 420);
  scheme_.validate(head_dim);
  KVT_ASSERT(kv_heads > 0 && chunk_rows > 0, "profiler needs kv_heads > 0 and chunk_rows > 0");
  for (const PrecisionPair& p : pairs_) {
    quant::check_quant_bits(p.key_bits, scheme_.key.symmetric);
    quant::check_quant_bits(p.value_bits, scheme_.value.symmetric);
    auto it =
        std::find_if(key_widths_.begin(), key_widths_.end(), [&](const KeyWidth& w) { return w.bits == p.key_bits; });
    if (it == key_widths_.end()) it = key_widths_.insert(key_widths_.end(), KeyWidth{p.key_bits, {}});
    if (index_of(it->value_bits, p.value_bits) == int(it->value_bits.size())) it->value_bits.push_back(p.value_bits);
    if (index_of(value_widths_, p.value_bits) == int(value_widths_.size())) value_widths_.push_back(p.value_bits);
  }
  sum_e_k_.assign(key_widths_.size(), 0.0);
  sum_e_a_.assign(key_widths_.size(), 0.0);
  sum_e_v_.assign(value_widths_.size(), 0.0);
  for (const KeyWidth& w : key_widths_)
    sum_e_o_.push_back(
        std::vector<std::vector<double>>(w.value_bits.size(), std::vector<double>(size_t(kv_heads), 0.0)));
}

bool LayerProfiler::add_prompt(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const DecodeState& state) {
  quant::check_attention_shapes(q, k, v);
  if (k.size(0) != kv_heads_ || k.size(2) != head_dim_)
    throw InputError("profiler: k/v have " + std::to_string(k.size(0)) + " KV heads of dim " +
                         std::to_string(k.size(2)) + ", expected " + std::to_string(kv_heads_) + " of dim " +
                         std::to_string(head_dim_),
                     421);
  const int64_t heads = q.size(0), tokens = q.size(1), dim = head_dim_, kvh = kv_heads_, group = heads / kvh;
  const double scale = 1.0 / std::sqrt(double(dim));
  // Queries pre-scaled by 1/√D: saves a pass over every score matrix.
  at::Tensor qf = (q.to(at::kFloat) * scale).contiguous().view({kvh, group, tokens, dim});
  at::Tensor kf = k.to(at::kFloat).contiguous(), vf = v.to(at::kFloat).contiguous();

  // Each K once per key width and each V once per value width, as the cache would finally hold them.
  std::vector<at::Tensor> k_hat(key_widths_.size()), v_hat(value_widths_.size());
  for (size_t i = 0; i < key_widths_.size(); ++i) {
    k_hat[i] = quant::stream_quantize(kf, scheme_.key, key_widths_[i].bits, state).dequantized;
    sum_e_k_[i] += mean_relative_error(kf, k_hat[i]);
  }
  for (size_t i = 0; i < value_widths_.size(); ++i) {
    v_hat[i] = quant::stream_quantize(vf, scheme_.value, value_widths_[i], state).dequantized;
    sum_e_v_[i] += mean_relative_error(vf, v_hat[i]);
  }
  ++prompts_;
  const int64_t first_row = state.prefill == PrefillMode::FullPrecision ? std::min(state.prompt_len, tokens) : 0;
  if (first_row >= tokens) return false;

  // The schedule does not depend on the width (only 16 = never), so one τ per tensor serves every width < 16.
  at::Tensor tau_k = quant::quantized_from_steps(scheme_.key, 8, tokens, state).to(q.device());
  at::Tensor tau_v = quant::quantized_from_steps(scheme_.value, 8, tokens, state).to(q.device());
  const std::vector<int64_t> tau_k_host = quant::host_steps(tau_k), tau_v_host = quant::host_steps(tau_v);

  // Per key width: the value caches it is paired with, side by side [H_kv, T, n·D], and v − v̂ for the
  // columns a query still sees in full precision. ô = o exactly for a 16/16 pair (same inputs), so it is skipped.
  struct Outputs {
    std::vector<int> slots;  // index into KeyWidth::value_bits for each block of D columns
    at::Tensor v_hat, v_delta;
  };
  std::vector<Outputs> outputs(key_widths_.size());
  for (size_t i = 0; i < key_widths_.size(); ++i) {
    std::vector<at::Tensor> hats, deltas;
    for (size_t j = 0; j < key_widths_[i].value_bits.size(); ++j) {
      int vb = key_widths_[i].value_bits[j];
      if (key_widths_[i].bits == 16 && vb == 16) continue;
      const at::Tensor& vh = v_hat[size_t(index_of(value_widths_, vb))];
      outputs[i].slots.push_back(int(j));
      hats.push_back(vh);
      deltas.push_back(vh.is_same(vf) ? at::zeros_like(vf) : vf - vh);
    }
    if (hats.empty()) continue;
    outputs[i].v_hat = at::cat(hats, -1);
    outputs[i].v_delta = at::cat(deltas, -1);
  }

  auto acc_options = at::TensorOptions().dtype(at::kDouble).device(q.device());
  std::vector<at::Tensor> e_a_acc(key_widths_.size()), e_o_acc(key_widths_.size());
  std::vector<double> e_a_host(key_widths_.size(), 0.0);
  for (size_t i = 0; i < key_widths_.size(); ++i) {
    e_a_acc[i] = at::zeros({}, acc_options);
    e_o_acc[i] = at::zeros({kvh, int64_t(outputs[i].slots.size())}, acc_options);
  }
  double visible_entries = 0;
  for (int64_t t = first_row; t < tokens; ++t)
    visible_entries += double(sliding_window_ > 0 ? std::min<int64_t>(t + 1, sliding_window_) : t + 1);

  for (int64_t t0 = first_row; t0 < tokens; t0 += chunk_rows_) {
    const int64_t t1 = std::min(tokens, t0 + chunk_rows_), n = t1 - t0;
    const int64_t c0 = quant::first_visible_column(t0, sliding_window_), width = t1 - c0;
    at::Tensor qc = qf.narrow(2, t0, n).reshape({kvh, group * n, dim});
    quant::ChunkBias bias = quant::chunk_bias(t0, t1, c0, sliding_window_, q.device());
    const int64_t bias_offset = bias.column_begin - c0, bias_width = t1 - bias.column_begin;
    auto biased_scores = [&](const at::Tensor& keys) {  // [H_kv, g·n, w] with causal/window bias
      at::Tensor s = at::bmm(qc, keys.narrow(1, c0, width).transpose(1, 2));
      s.view({kvh, group, n, width}).narrow(3, bias_offset, bias_width).add_(bias.bias);
      return s;
    };
    at::Tensor scores = biased_scores(kf);
    at::Tensor probs = at::softmax(scores, -1);
    at::Tensor out = at::bmm(probs, vf.narrow(1, c0, width));                   // [H_kv, g·n, D]
    at::Tensor out_norm = row_norms(out).clamp_min_(kNormFloor).unsqueeze(-1);  // [H_kv, g·n, 1]
    const int64_t fk = std::max(c0, quant::first_full_precision_column(tau_k_host, t0));
    const int64_t fv = std::max(c0, quant::first_full_precision_column(tau_v_host, t0));
    at::Tensor key_mask = fk < t1 ? quant::full_precision_mask(tau_k, t0, t1, fk) : at::Tensor();
    at::Tensor value_mask = fv < t1 ? quant::full_precision_mask(tau_v, t0, t1, fv).to(at::kFloat) : at::Tensor();

    for (size_t i = 0; i < key_widths_.size(); ++i) {
      at::Tensor probs_q = probs;
      if (key_widths_[i].bits != 16) {
        at::Tensor scores_q = biased_scores(k_hat[i]);
        if (key_mask.defined()) {  // keys a query still sees in full precision
          at::Tensor band = scores_q.view({kvh, group, n, width}).narrow(3, fk - c0, t1 - fk);
          band.copy_(at::where(key_mask, scores.view({kvh, group, n, width}).narrow(3, fk - c0, t1 - fk), band));
        }
        probs_q = at::softmax(scores_q, -1);
        add_l1_distance(probs_q, probs, e_a_host[i], e_a_acc[i]);
      }
      const Outputs& o = outputs[i];
      if (o.slots.empty()) continue;
      const int64_t slots = int64_t(o.slots.size());
      at::Tensor out_q = at::bmm(probs_q, o.v_hat.narrow(1, c0, width));  // [H_kv, g·n, slots·D]
      if (value_mask.defined()) {
        at::Tensor band = probs_q.view({kvh, group, n, width}).narrow(3, fv - c0, t1 - fv) * value_mask;
        out_q.add_(at::bmm(band.reshape({kvh, group * n, t1 - fv}), o.v_delta.narrow(1, fv, t1 - fv)));
      }
      at::Tensor err = row_norms(out_q.view({kvh, group * n, slots, dim}) - out.unsqueeze(2)) / out_norm;
      e_o_acc[i] += err.sum(1).to(at::kDouble);  // [H_kv, slots]
    }
  }

  const double rows = double(tokens - first_row);
  for (size_t i = 0; i < key_widths_.size(); ++i) {
    sum_e_a_[i] += (e_a_host[i] + e_a_acc[i].item<double>()) / (visible_entries * double(heads));
    at::Tensor acc = e_o_acc[i].cpu();
    for (size_t s = 0; s < outputs[i].slots.size(); ++s)
      for (int64_t h = 0; h < kvh; ++h)
        sum_e_o_[i][size_t(outputs[i].slots[s])][size_t(h)] +=
            acc[h][int64_t(s)].item<double>() / (rows * double(group));
  }
  ++evaluated_prompts_;
  return true;
}

std::vector<PairErrors> LayerProfiler::result() const {
  std::vector<PairErrors> out;
  const double np = std::max(1, prompts_), ne = std::max(1, evaluated_prompts_);
  for (const PrecisionPair& p : pairs_) {
    size_t i = size_t(
        std::find_if(key_widths_.begin(), key_widths_.end(), [&](const KeyWidth& w) { return w.bits == p.key_bits; }) -
        key_widths_.begin());
    size_t j = size_t(index_of(key_widths_[i].value_bits, p.value_bits));
    PairErrors e;
    e.e_k = sum_e_k_[i] / np;
    e.e_v = sum_e_v_[size_t(index_of(value_widths_, p.value_bits))] / np;
    e.e_a = sum_e_a_[i] / ne;
    double total = 0;
    for (double h : sum_e_o_[i][j]) {
      e.e_o_per_head.push_back(h / ne);
      total += h / ne;
    }
    e.e_o = total / double(kv_heads_);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kvt::profile
