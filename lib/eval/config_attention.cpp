#include "lib/eval/config_attention.h"

#include "lib/core/error.h"
#include "lib/model/forward.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/storage.h"

namespace kvt::eval {

std::vector<HeadSegment> layer_segments(const KvConfig& config, int layer, int kv_heads) {
  KVT_ASSERT(layer >= 0 && size_t(layer) < config.num_layers(), "layer outside the config");
  if (!config.per_head()) return {HeadSegment{0, kv_heads, config.layers[size_t(layer)]}};
  const auto& heads = config.heads[size_t(layer)];
  if (int(heads.size()) != kv_heads)
    throw InputError("config layer " + std::to_string(layer) + " has " + std::to_string(heads.size()) +
                         " KV heads, the model has " + std::to_string(kv_heads),
                     970);
  std::vector<HeadSegment> segments;
  for (int h = 0; h < kv_heads; ++h) {
    if (!segments.empty() && segments.back().pair == heads[size_t(h)])
      ++segments.back().head_count;
    else
      segments.push_back({h, 1, heads[size_t(h)]});
  }
  return segments;
}

void check_config_fits(const KvConfig& config, const model::ModelConfig& model, const std::string& source) {
  if (int(config.num_layers()) != model.num_layers)
    throw InputError(source + ": the config has " + std::to_string(config.num_layers()) + " layers, the model has " +
                         std::to_string(model.num_layers),
                     970);
  if (config.per_head())
    for (int l = 0; l < model.num_layers; ++l) {
      try {
        layer_segments(config, l, model.num_kv_heads);
      } catch (const InputError& e) {
        throw InputError(source + ": " + e.what(), 970);
      }
    }
}

at::Tensor config_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const KvConfig& config,
                            int layer, const quant::QuantScheme& scheme, const quant::DecodeState& state,
                            int sliding_window) {
  const int kv_heads = int(k.size(0));
  const auto segments = layer_segments(config, layer, kv_heads);
  bool all_full_precision = true;
  for (const auto& s : segments) all_full_precision = all_full_precision && s.pair.is_full_precision();
  // The runtime's own path: identical to a forward without the hook.
  if (all_full_precision) return model::causal_attention(q, k, v, sliding_window);
  if (segments.size() == 1) return quant::quantized_attention(q, k, v, scheme, segments[0].pair, state, sliding_window);

  // Per-head: query heads [h·g, (h+1)·g) read KV head h (GQA), so each segment is an independent attention.
  const int64_t group = q.size(0) / kv_heads;
  std::vector<at::Tensor> outputs;
  for (const auto& s : segments) {
    at::Tensor qs = q.narrow(0, s.head_begin * group, s.head_count * group);
    at::Tensor ks = k.narrow(0, s.head_begin, s.head_count), vs = v.narrow(0, s.head_begin, s.head_count);
    outputs.push_back(s.pair.is_full_precision()
                          ? model::causal_attention(qs, ks, vs, sliding_window)
                          : quant::quantized_attention(qs, ks, vs, scheme, s.pair, state, sliding_window));
  }
  return at::cat(outputs, 0);
}

CacheStorage cache_storage(const KvConfig& config, const quant::QuantScheme& scheme, const model::ModelConfig& model,
                           int64_t tokens) {
  CacheStorage total;
  for (int l = 0; l < model.num_layers; ++l)
    for (const auto& s : layer_segments(config, l, model.num_kv_heads)) {
      quant::PairStorage p = quant::pair_storage(scheme, s.pair, tokens, s.head_count, model.head_dim);
      const double elements = double(p.key.elements + p.value.elements);
      total.bytes += p.total_bytes();
      total.elements += elements;
      total.nominal_bit_sum += double(p.key.elements) * s.pair.key_bits + double(p.value.elements) * s.pair.value_bits;
    }
  return total;
}

KvConfig uniform_config(const PrecisionPair& pair, int layers) {
  KvConfig config;
  config.layers.assign(size_t(layers), pair);
  return config;
}

}  // namespace kvt::eval
