// The sensitivity profiler: one full-precision forward over the calibration prompts; every layer's captured
// q/k/v goes through a LayerProfiler while the forward moves on (no error carried between layers: each layer
// sees clean inputs, as in KVTuner App. B). Output: a SensitivityTable with its provenance.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/core/sensitivity_table.h"
#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "lib/quant/prompt_length.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::profile {

// Query rows per block in the profiler: smaller than quantized_attention's default, because the profiler holds
// several score matrices per block (measured with tests/bench/bench_profile).
constexpr int64_t kProfileChunkRows = 32;

struct ProfileOptions {
  quant::QuantScheme scheme;  // e.g. quant::lookup_scheme("kivi")
  std::vector<PrecisionPair> pairs = default_candidate_pairs();
  quant::PrefillMode prefill = quant::PrefillMode::FullPrecision;
  // Leading tokens of each prompt processed as its prefill (prefill_tokens: at most the prompt); the rest are
  // decode steps (teacher-forced). The default, half of each prompt, matches `evaluate --prompt-len half`.
  quant::PromptLength prompt_length;
  model::ForwardOptions forward;
  int64_t chunk_rows = kProfileChunkRows;

  // End-to-end sensitivities (layer_kl.h) and the proxy the search will use.
  //   "eo": only the paper's e_o; "kl": e_o, Fisher and layer KL; "fisher": e_o and Fisher;
  //   "auto": e_o, Fisher, and layer KL when its estimated time fits proxy_budget_minutes (then the proxy is kl,
  //   else fisher). The estimate scales the measured time of the e_o pass by the forward passes KL needs.
  std::string proxy = "auto";
  double proxy_budget_minutes = 30;
  int64_t kl_tokens = 16384;    // the leading prompts up to this many tokens feed kl and fisher
  int64_t batch_tokens = 4096;  // tokens per batch of the end-to-end passes (memory ≈ 8 · batch_tokens · vocab B)
  uint64_t seed = 0;            // Fisher label draws
};

// Checks options against the model before any forward work. @throws InputError / UnsupportedError.
void validate_profile_options(const model::ModelConfig& config, const std::vector<std::vector<int64_t>>& prompts,
                              const ProfileOptions& options);

// Runs the profile. `calib_hash` identifies the tokenized calibration set in the table.
// Progress goes to stderr (kvt::Progress). @throws as validate_profile_options and model::forward.
SensitivityTable profile_model(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                               const std::string& calib_hash, const ProfileOptions& options);

// Effective bits per element of each pair (K and V together, codes + 16-bit scales/zero-points + residual),
// over the calibration prompts' lengths.
std::vector<double> effective_bits_per_pair(const quant::QuantScheme& scheme, const std::vector<PrecisionPair>& pairs,
                                            const std::vector<std::vector<int64_t>>& prompts, int kv_heads,
                                            int head_dim);

}  // namespace kvt::profile
