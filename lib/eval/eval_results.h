// The value types of end-to-end evaluation: what is evaluated (EvalConfig) and what comes out (ConfigResult,
// EvaluationResult, GenerationResult). No LibTorch: the report writers (eval_report.h, two_stage_ranking.h, the
// run report) compile against these alone; evaluator.h and generation_check.h compute them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"

namespace kvt::eval {

struct EvalConfig {
  std::string name;    // label in tables: "KV4", or a config file's stem
  std::string kind;    // "baseline" or "searched" (the evaluator adds the "full-precision" row itself)
  std::string source;  // the file it was read from; empty for built-in baselines
  KvConfig config;
};

struct ConfigResult {
  std::string name, kind, source;
  double nominal_bits = 16;    // element-weighted mean of the config's bit widths (KVTuner f_m)
  double effective_bits = 16;  // lib/quant storage accounting over every sequence's final cache
  double perplexity = 0;       // exp(mean NLL) over the scored tokens
  double mean_kl = 0;          // nats per scored token
  double kl_stderr = 0;        // standard error of mean_kl across sequences (sequence means, token-weighted)
  double top1_agreement = 1;   // share of scored positions whose argmax equals full precision's
  int64_t tokens = 0;          // scored tokens
};

struct EvaluationResult {
  std::vector<ConfigResult> rows;  // rows[0]: full precision; then the configs in the order given
  int64_t sequences = 0;
  int64_t total_tokens = 0;   // tokens in all sequences
  int64_t scored_tokens = 0;  // continuation tokens (per config)
};

struct GenerationResult {
  std::string name;
  int prompts = 0;
  int new_tokens = 0;
  double identical_fraction = 1;     // share of generated positions whose token equals full precision's
  double mean_first_divergence = 0;  // first differing position per prompt (0-based; new_tokens if none), averaged
  int earliest_divergence = 0;       // the smallest of those
  int identical_prompts = 0;         // prompts whose whole generation equals full precision's
};

}  // namespace kvt::eval
