#include "lib/eval/evaluator.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/eval/config_attention.h"
#include "lib/model/model.h"

namespace kvt::eval {

std::vector<std::pair<size_t, size_t>> token_batches(const std::vector<std::vector<int64_t>>& sequences,
                                                     int64_t batch_tokens) {
  std::vector<std::pair<size_t, size_t>> batches;
  size_t begin = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const int64_t n = int64_t(sequences[i].size());
    if (i > begin && tokens + n > batch_tokens) {
      batches.emplace_back(begin, i);
      begin = i;
      tokens = 0;
    }
    tokens += n;
  }
  if (begin < sequences.size()) batches.emplace_back(begin, sequences.size());
  return batches;
}

namespace {

// Identifies a config's pairs (per layer, or per layer and head).
std::string config_key(const KvConfig& config) {
  std::string key;
  for (const auto& p : config.layers) key += p.name() + ",";
  for (const auto& layer : config.heads) {
    key += "|";
    for (const auto& p : layer) key += p.name() + ",";
  }
  return key;
}

// Per-config running sums over sequences.
struct Accumulator {
  double nll = 0, kl = 0;
  int64_t matches = 0, tokens = 0;
  std::vector<double> sequence_kl_sum;  // Σ KL of each sequence
  std::vector<int64_t> sequence_tokens;

  void add(const SequenceScore& s) {
    nll += s.nll_sum;
    kl += s.kl_sum;
    matches += s.top1_matches;
    tokens += s.tokens;
    sequence_kl_sum.push_back(s.kl_sum);
    sequence_tokens.push_back(s.tokens);
  }

  // Standard error of the token-weighted mean of per-sequence means (ratio estimator).
  double kl_stderr() const {
    const size_t n = sequence_tokens.size();
    if (n < 2 || tokens == 0) return 0.0;
    const double mean = kl / double(tokens);
    double sum_sq = 0;
    for (size_t i = 0; i < n; ++i) {
      double deviation = sequence_kl_sum[i] - mean * double(sequence_tokens[i]);  // w_i (m_i − m)
      sum_sq += deviation * deviation;
    }
    return std::sqrt(double(n) / double(n - 1) * sum_sq) / double(tokens);
  }

  void fill(ConfigResult& r) const {
    r.tokens = tokens;
    r.perplexity = std::exp(nll / double(tokens));
    r.mean_kl = kl / double(tokens);
    r.kl_stderr = kl_stderr();
    r.top1_agreement = double(matches) / double(tokens);
  }
};

}  // namespace

ReferenceBatch make_reference_batch(const model::Model& model, std::vector<std::vector<int64_t>> sequences,
                                    const EvalOptions& options) {
  ReferenceBatch batch;
  batch.sequences = std::move(sequences);
  for (const auto& s : batch.sequences)
    batch.prompt_len.push_back(options.prompt_length.for_sequence(int64_t(s.size())));
  batch.references.resize(batch.sequences.size());
  model::ForwardHooks hooks;
  hooks.on_logits = [&](int p, const at::Tensor& logits) {
    const auto& ids = batch.sequences[size_t(p)];
    batch.references[size_t(p)] =
        make_reference(logits, ids, scored_span(int64_t(ids.size()), batch.prompt_len[size_t(p)]));
  };
  model::forward(model, batch.sequences, options.forward, hooks);
  return batch;
}

std::vector<SequenceScore> score_batch(const model::Model& model, const ReferenceBatch& batch, const KvConfig& config,
                                       const EvalOptions& options) {
  const int sliding_window = model.config().sliding_window;
  std::vector<SequenceScore> scores(batch.sequences.size());
  model::ForwardHooks hooks;
  hooks.attention = [&](const model::AttentionInputs& in) {
    quant::DecodeState state{batch.prompt_len[size_t(in.prompt)], options.prefill};
    return config_attention(in.q, in.k, in.v, config, in.layer, options.scheme, state, sliding_window);
  };
  hooks.on_logits = [&](int p, const at::Tensor& logits) {
    scores[size_t(p)] = compare_with_reference(logits, batch.references[size_t(p)]);
  };
  model::forward(model, batch.sequences, options.forward, hooks);
  return scores;
}

EndToEndScorer::EndToEndScorer(const model::Model& model, const std::vector<std::vector<int64_t>>& sequences,
                               EvalOptions options)
    : model_(model), options_(std::move(options)) {
  if (sequences.empty()) throw InputError("end-to-end objective: no sequences", 972);
  options_.scheme.validate(model.config().head_dim);
  for (const auto& [begin, end] : token_batches(sequences, options_.batch_tokens)) {
    batches_.push_back(make_reference_batch(
        model, std::vector<std::vector<int64_t>>(sequences.begin() + long(begin), sequences.begin() + long(end)),
        options_));
    for (const auto& r : batches_.back().references) scored_tokens_ += r.span.count;
  }
  if (scored_tokens_ == 0) throw InputError("end-to-end objective: no sequence is longer than its prompt", 971);
}

double EndToEndScorer::mean_kl(const KvConfig& config) {
  check_config_fits(config, model_.config(), "end-to-end objective");
  const std::string key = config_key(config);
  auto it = std::lower_bound(memo_.begin(), memo_.end(), key,
                             [](const std::pair<std::string, double>& e, const std::string& k) { return e.first < k; });
  if (it != memo_.end() && it->first == key) return it->second;
  double kl = 0;
  for (const auto& batch : batches_)
    for (const SequenceScore& s : score_batch(model_, batch, config, options_)) kl += s.kl_sum;
  ++evaluations_;
  const double mean = kl / double(scored_tokens_);
  memo_.insert(it, {key, mean});
  return mean;
}

EvaluationResult evaluate_configs(const model::Model& model, const std::vector<std::vector<int64_t>>& sequences,
                                  const std::vector<EvalConfig>& configs, const EvalOptions& options) {
  const model::ModelConfig& mc = model.config();
  if (sequences.empty()) throw InputError("evaluation: no held-out sequences", 972);
  options.scheme.validate(mc.head_dim);
  for (const auto& c : configs) check_config_fits(c.config, mc, c.source.empty() ? c.name : c.source);

  // Prompt lengths and storage are fixed by the sequences; check them before any forward pass.
  EvaluationResult result;
  result.sequences = int64_t(sequences.size());
  std::vector<int64_t> prompt_len(sequences.size());
  std::vector<CacheStorage> storage(configs.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    const int64_t length = int64_t(sequences[i].size());
    prompt_len[i] = options.prompt_length.for_sequence(length);
    result.total_tokens += length;
    result.scored_tokens += scored_span(length, prompt_len[i]).count;
    for (size_t c = 0; c < configs.size(); ++c)
      storage[c] += cache_storage(configs[c].config, options.scheme, mc, length);
  }

  std::vector<Accumulator> sums(configs.size() + 1);  // [0]: full precision
  const auto batches = token_batches(sequences, options.batch_tokens);
  Progress progress("evaluate", batches.size() * (configs.size() + 1));
  size_t done = 0;
  for (const auto& [begin, end] : batches) {
    const ReferenceBatch batch = make_reference_batch(
        model, std::vector<std::vector<int64_t>>(sequences.begin() + long(begin), sequences.begin() + long(end)),
        options);
    for (const auto& reference : batch.references) sums[0].add(score_reference(reference));
    progress.update(++done, "full precision");
    for (size_t c = 0; c < configs.size(); ++c) {
      for (const SequenceScore& score : score_batch(model, batch, configs[c].config, options)) sums[c + 1].add(score);
      progress.update(++done, configs[c].name);
    }
  }
  progress.finish();

  ConfigResult fp;
  fp.name = "KV16";
  fp.kind = "full-precision";
  sums[0].fill(fp);
  result.rows.push_back(fp);
  for (size_t c = 0; c < configs.size(); ++c) {
    ConfigResult r;
    r.name = configs[c].name;
    r.kind = configs[c].kind;
    r.source = configs[c].source;
    r.nominal_bits = storage[c].nominal_bits();
    r.effective_bits = storage[c].effective_bits();
    sums[c + 1].fill(r);
    result.rows.push_back(r);
  }
  return result;
}

}  // namespace kvt::eval
