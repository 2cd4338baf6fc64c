#include "calibration/profiler/profiler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "calibration/profiler/layer_kl.h"
#include "calibration/profiler/layer_profiler.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/quant/storage.h"
#include "lib/quant/uniform_quantizer.h"

namespace kvt::profile {

namespace {

std::string base_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void validate_profile_options(const model::ModelConfig& config, const std::vector<std::vector<int64_t>>& prompts,
                              const ProfileOptions& options) {
  options.scheme.validate(config.head_dim);
  if (options.pairs.empty()) throw InputError("profile: no candidate pairs (--bits / --pairs)", 420);
  for (const PrecisionPair& p : options.pairs) {
    quant::check_quant_bits(p.key_bits, options.scheme.key.symmetric);
    quant::check_quant_bits(p.value_bits, options.scheme.value.symmetric);
  }
  options.prompt_length.validate();
  if (options.chunk_rows <= 0) throw InputError("profile: chunk rows must be positive", 422);
  if (options.proxy != "auto" && !is_proxy_name(options.proxy))
    throw InputError("--proxy: unknown proxy '" + options.proxy + "' (expected auto, eo, kl or fisher)", 429);
  if (!(options.proxy_budget_minutes >= 0) || !std::isfinite(options.proxy_budget_minutes))
    throw InputError("--proxy-budget must be a finite number of minutes >= 0", 429);
  if (options.kl_tokens < 1) throw InputError("--kl-tokens must be >= 1", 429);
  if (options.batch_tokens < 1) throw InputError("--batch-tokens must be >= 1", 429);
  if (prompts.empty()) throw InputError("profile: the calibration set holds no prompts", 423);
  if (options.prefill == quant::PrefillMode::FullPrecision) {
    bool any_decode = std::any_of(prompts.begin(), prompts.end(), [&](const auto& p) {
      return int64_t(p.size()) > options.prompt_length.prefill_tokens(int64_t(p.size()));
    });
    if (!any_decode)
      throw InputError("--prompt-len " + options.prompt_length.option_text() +
                           ": every calibration prompt is at most this long, so prefill-fp leaves no decode position "
                           "to measure (lower --prompt-len or use --prefill quantized)",
                       424);
  }
}

std::vector<double> effective_bits_per_pair(const quant::QuantScheme& scheme, const std::vector<PrecisionPair>& pairs,
                                            const std::vector<std::vector<int64_t>>& prompts, int kv_heads,
                                            int head_dim) {
  std::vector<double> bits;
  for (const PrecisionPair& pair : pairs) {
    double total_bytes = 0, elements = 0;
    for (const auto& p : prompts) {
      quant::PairStorage s = quant::pair_storage(scheme, pair, int64_t(p.size()), kv_heads, head_dim);
      total_bytes += s.total_bytes();
      elements += double(s.key.elements + s.value.elements);
    }
    bits.push_back(elements > 0 ? 8.0 * total_bytes / elements : 0.0);
  }
  return bits;
}

SensitivityTable profile_model(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                               const std::string& calib_hash, const ProfileOptions& options) {
  const model::ModelConfig& config = model.config();
  validate_profile_options(config, prompts, options);
  const bool any_quantized = std::any_of(prompts.begin(), prompts.end(), [&](const auto& p) {
    return quant::quantized_token_count(options.scheme.key, int64_t(p.size())) > 0 ||
           quant::quantized_token_count(options.scheme.value, int64_t(p.size())) > 0;
  });
  if (!any_quantized)
    log_warning("profile: no calibration prompt is long enough to complete a flush block of scheme '" +
                options.scheme.name + "' (" + std::to_string(options.scheme.key.flush_block_tokens()) +
                " tokens), so the cache is never quantized and every error is 0");
  std::vector<LayerProfiler> layers;
  for (int l = 0; l < config.num_layers; ++l)
    layers.emplace_back(options.scheme, options.pairs, config.num_kv_heads, config.head_dim, config.sliding_window,
                        options.chunk_rows);

  Progress progress("profile", size_t(config.num_layers) * prompts.size());
  size_t done = 0;
  model::ForwardHooks hooks;
  hooks.skip_lm_head = true;
  hooks.on_capture = [&](const model::AttentionInputs& in, const at::Tensor& /*attention_output*/) {
    quant::DecodeState state{options.prompt_length.prefill_tokens(in.q.size(1)), options.prefill};
    layers[size_t(in.layer)].add_prompt(in.q, in.k, in.v, state);
    progress.update(++done, "layer " + std::to_string(in.layer + 1) + "/" + std::to_string(config.num_layers));
  };
  const auto eo_start = std::chrono::steady_clock::now();
  model::forward(model, prompts, options.forward, hooks);
  progress.finish();
  const double eo_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - eo_start).count();
  if (!layers.empty() && layers[0].evaluated_prompts() < int(prompts.size()))
    log_warning("profile: " + std::to_string(int(prompts.size()) - layers[0].evaluated_prompts()) +
                " calibration prompt(s) are no longer than --prompt-len " + options.prompt_length.option_text() +
                " and contribute only e_k/e_v (no decode position under prefill-fp)");

  SensitivityTable t;
  t.tool_version = KVT_VERSION;
  t.model_path = model.directory();
  t.model_name = base_name(model.directory());
  t.model_hash = model.hash();
  t.calib_hash = calib_hash;
  t.scheme = options.scheme.name;
  t.scheme_params = quant::scheme_params_json(options.scheme);
  t.scheme_params["prompt_len"] = options.prompt_length.option_text();
  t.prefill_mode = quant::prefill_mode_name(options.prefill);
  t.num_layers = config.num_layers;
  t.num_kv_heads = config.num_kv_heads;
  t.head_dim = config.head_dim;
  t.num_prompts = int(prompts.size());
  for (const auto& p : prompts) t.num_tokens += (long long)p.size();
  t.pairs = options.pairs;
  for (const LayerProfiler& layer : layers) {
    KVT_ASSERT(layer.prompts() == int(prompts.size()), "the forward did not capture every prompt of every layer");
    std::vector<double> e_o, e_k, e_v, e_a;
    std::vector<std::vector<double>> per_head;
    for (const PairErrors& e : layer.result()) {
      e_o.push_back(e.e_o);
      e_k.push_back(e.e_k);
      e_v.push_back(e.e_v);
      e_a.push_back(e.e_a);
      per_head.push_back(e.e_o_per_head);
    }
    t.e_o.push_back(e_o);
    t.e_k.push_back(e_k);
    t.e_v.push_back(e_v);
    t.e_a.push_back(e_a);
    t.e_o_per_head.push_back(per_head);
  }
  t.effective_bits =
      effective_bits_per_pair(options.scheme, options.pairs, prompts, config.num_kv_heads, config.head_dim);

  // End-to-end measures on the leading prompts.
  if (options.proxy != "eo") {
    const auto e2e_prompts = leading_prompts(prompts, options.kl_tokens);
    int64_t e2e_tokens = 0;
    for (const auto& p : e2e_prompts) e2e_tokens += int64_t(p.size());
    const double passes = layer_kl_forward_passes(config.num_layers, options.pairs);
    // The e_o pass costs about one forward over every calibration token.
    const double kl_minutes = eo_seconds / 60.0 * passes * double(e2e_tokens) / double(t.num_tokens);
    char estimate[256];
    std::snprintf(
        estimate, sizeof estimate,
        "layer KL costs about %.1f forward passes over %lld tokens (%zu prompts): ~%.2f min at the e_o pass's "
        "speed; --proxy-budget is %.6g min",
        passes, (long long)e2e_tokens, e2e_prompts.size(), kl_minutes, options.proxy_budget_minutes);
    log_info(std::string("profile: ") + estimate);
    t.fisher = fisher_sensitivity(model, e2e_prompts, options);
    const bool run_kl =
        options.proxy == "kl" || (options.proxy == "auto" && kl_minutes <= options.proxy_budget_minutes);
    if (run_kl) t.kl = layer_kl(model, e2e_prompts, options);
    if (options.proxy == "auto") {
      t.proxy = run_kl ? "kl" : "fisher";
      // The reason holds no measured time, so that the table's bytes do not depend on the machine's load.
      char reason[200];
      std::snprintf(reason, sizeof reason,
                    "auto: the layer KL's time estimate (%.1f forward passes) %s --proxy-budget %.6g min", passes,
                    run_kl ? "fits" : "exceeds", options.proxy_budget_minutes);
      t.proxy_reason = reason;
    } else {
      t.proxy = options.proxy;
      t.proxy_reason = "--proxy " + options.proxy;
    }
  } else {
    t.proxy = "eo";
    t.proxy_reason = "--proxy eo (the paper's attention-output error)";
  }
  t.kv_elements_per_token_per_layer = 2.0 * config.num_kv_heads * config.head_dim;
  t.validate("profile of " + model.directory());
  return t;
}

}  // namespace kvt::profile
