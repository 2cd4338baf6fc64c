#include "tests/support/fixture_model.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "lib/model/forward.h"
#include "lib/model/safetensors.h"

namespace fs = std::filesystem;

namespace kvt::test {

kvt::model::ModelConfig fixture_config(const FixtureSpec& s) {
  kvt::model::ModelConfig c;
  c.architecture = s.architecture;
  c.model_type = s.architecture == "MistralForCausalLM" ? "mistral"
                 : s.architecture == "Qwen2ForCausalLM" ? "qwen2"
                                                        : "llama";
  c.hidden_size = s.hidden;
  c.num_layers = s.layers;
  c.num_heads = s.heads;
  c.num_kv_heads = s.kv_heads;
  c.head_dim = s.head_dim;
  c.intermediate_size = s.intermediate;
  c.vocab_size = s.vocab;
  c.max_position_embeddings = s.max_positions;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = s.rope_theta;
  c.tie_word_embeddings = s.tied;
  c.sliding_window = s.sliding_window;
  c.attention_bias = c.model_type == "qwen2" || (c.model_type == "llama" && s.attention_bias);
  c.o_proj_bias = c.model_type == "llama" && s.attention_bias;
  c.mlp_bias = c.model_type == "llama" && s.mlp_bias;
  c.torch_dtype = s.dtype == "BF16" ? "bfloat16" : s.dtype == "F16" ? "float16" : "float32";
  if (s.llama3_rope) {
    c.rope_scaling.type = "llama3";
    c.rope_scaling.factor = 8.0;
    c.rope_scaling.low_freq_factor = 1.0;
    c.rope_scaling.high_freq_factor = 4.0;
    c.rope_scaling.original_max_position_embeddings = 64;
  }
  return c;
}

std::string write_fixture_model(const std::string& dir, const FixtureSpec& s) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto c = fixture_config(s);
  { std::ofstream(fs::path(dir) / "config.json") << kvt::model::to_hf_config_json(c).dump(2); }
  at::manual_seed(s.seed);
  auto dtype = s.dtype == "BF16" ? at::kBFloat16 : s.dtype == "F16" ? at::kHalf : at::kFloat;
  auto randn = [&](std::vector<int64_t> shape, double std) { return (at::randn(shape) * std).to(dtype); };
  auto norm = [&](int64_t n) { return (1.0 + 0.1 * at::randn({n})).to(dtype); };
  const int64_t h = c.hidden_size, v = c.vocab_size;
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  tensors.push_back({"model.embed_tokens.weight", randn({v, h}, 1.0)});
  const auto per_layer = kvt::model::layer_tensors(c);
  for (int l = 0; l < c.num_layers; ++l)
    for (const auto& t : per_layer) {
      // Initial std per kind of tensor: q/k set how peaky attention is; biases small; norms near 1.
      const auto m = t.member;
      using W = kvt::model::LayerWeights;
      at::Tensor value = m == &W::input_norm || m == &W::post_attention_norm ? norm(t.shape[0])
                         : m == &W::q_proj || m == &W::k_proj                ? randn(t.shape, s.attention_scale)
                         : t.shape.size() == 1                               ? randn(t.shape, 0.1)
                                                                             : randn(t.shape, 0.2);
      tensors.push_back({kvt::model::layer_prefix(l) + t.suffix, value});
    }
  tensors.push_back({"model.norm.weight", norm(h)});
  if (!c.tie_word_embeddings) tensors.push_back({"lm_head.weight", randn({v, h}, 0.2)});

  if (!s.sharded) {
    kvt::model::write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors);
    return dir;
  }
  size_t half = tensors.size() / 2;
  std::vector<std::pair<std::string, at::Tensor>> first(tensors.begin(), tensors.begin() + half),
      second(tensors.begin() + half, tensors.end());
  const std::string f1 = "model-00001-of-00002.safetensors", f2 = "model-00002-of-00002.safetensors";
  kvt::model::write_safetensors((fs::path(dir) / f1).string(), first);
  kvt::model::write_safetensors((fs::path(dir) / f2).string(), second);
  nlohmann::json index;
  index["metadata"] = {{"total_size", 0}};
  for (const auto& t : first) index["weight_map"][t.first] = f1;
  for (const auto& t : second) index["weight_map"][t.first] = f2;
  std::ofstream(fs::path(dir) / "model.safetensors.index.json") << index.dump(2);
  return dir;
}

std::string fresh_test_dir(const std::string& name) {
#ifdef KVT_BINARY_DIR
  fs::path root = fs::path(KVT_BINARY_DIR) / "test-tmp";
#else
  fs::path root = fs::temp_directory_path() / "kvtuner-test-tmp";
#endif
  fs::path dir = root / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::vector<std::vector<int64_t>> random_prompts(const std::vector<int>& lengths, int vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<int64_t>> out;
  for (int len : lengths) {
    std::vector<int64_t> p(len);
    for (auto& id : p) id = static_cast<int64_t>(rng() % static_cast<uint64_t>(vocab));
    out.push_back(p);
  }
  return out;
}

}  // namespace kvt::test
