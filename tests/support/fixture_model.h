// Generated test fixtures: random-weight Hugging Face model directories (config.json + safetensors),
// small enough to run in milliseconds, written by the tests themselves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/model/model_config.h"

namespace kvt::test {

struct FixtureSpec {
  std::string architecture = "LlamaForCausalLM";  // or MistralForCausalLM, Qwen2ForCausalLM
  int hidden = 64;
  int layers = 2;
  int heads = 4;
  int kv_heads = 2;
  int head_dim = 16;
  int intermediate = 96;
  int vocab = 101;
  int max_positions = 512;
  bool tied = false;
  bool sharded = false;       // model.safetensors.index.json + 2 shards
  std::string dtype = "F32";  // "F32", "F16" or "BF16"
  double rope_theta = 10000.0;
  bool llama3_rope = false;     // rope_scaling {rope_type: llama3, factor 8, ...}
  bool attention_bias = false;  // Llama attention_bias: q/k/v/o biases (Qwen2 always has q/k/v biases)
  bool mlp_bias = false;        // Llama mlp_bias: gate/up/down biases
  int sliding_window = 0;       // Mistral/Qwen2: tokens each query sees on every layer (0 = none)
  uint64_t seed = 1;
  double attention_scale = 0.3;  // std of q/k weights: larger → peakier attention
};

kvt::model::ModelConfig fixture_config(const FixtureSpec& spec);
// Writes the model into `dir` (created, emptied first) and returns `dir`.
std::string write_fixture_model(const std::string& dir, const FixtureSpec& spec);
// A fresh, empty directory under the build tree for one test.
std::string fresh_test_dir(const std::string& name);
// Deterministic pseudo-random token ids in [0, vocab).
std::vector<std::vector<int64_t>> random_prompts(const std::vector<int>& lengths, int vocab, uint64_t seed);

}  // namespace kvt::test
