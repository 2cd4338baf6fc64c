// config.json parsing and RoPE frequencies, including Llama-3.1's llama3 scaling by hand.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "lib/core/error.h"
#include "lib/model/forward.h"
#include "lib/model/model_config.h"

using namespace kvt;
using Catch::Matchers::Contains;

namespace {
nlohmann::json llama31_like() {
  return nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
    "max_position_embeddings": 131072, "vocab_size": 128256, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "tie_word_embeddings": false, "torch_dtype": "bfloat16", "bos_token_id": 128000, "eos_token_id": [128001, 128008]})");
}
}  // namespace

TEST_CASE("Llama-3.1-8B config.json parses to the published shape", "[lib][model]") {
  auto c = model::parse_model_config(llama31_like(), "config.json");
  CHECK(c.head_dim == 128);
  CHECK(c.num_kv_heads == 8);
  CHECK(c.rope_scaling.type == "llama3");
  CHECK(c.eos_token_id == 128001);
  CHECK(c.parameter_count() == 8030261248LL);       // Llama-3.1-8B's published parameter count
  CHECK(c.kv_bytes_per_token(16) == 131072);        // 2 · 32 layers · 8 heads · 128 · 2 bytes
}

TEST_CASE("llama3 RoPE scaling against hand-computed frequencies", "[lib][model]") {
  model::ModelConfig c;
  c.head_dim = 16;
  c.rope_theta = 10000;
  c.rope_scaling.type = "llama3";
  c.rope_scaling.factor = 8;
  c.rope_scaling.low_freq_factor = 1;
  c.rope_scaling.high_freq_factor = 4;
  c.rope_scaling.original_max_position_embeddings = 64;
  at::Tensor got = model::rope_inv_freq(c).to(at::kDouble);
  // wavelengths 2π/θ^(-j/8): 6.3 (< 16: kept), 19.9 and 62.8 (between 16 and 64: interpolated), the rest (> 64: ÷8).
  std::vector<double> expected = {1.0,
                                  0.31622777 * ((1 - 0.74027) / 8 + 0.74027),
                                  0.1 * ((1 - 0.0061968) / 8 + 0.0061968),
                                  0.031622777 / 8, 0.01 / 8, 0.0031622777 / 8, 0.001 / 8, 0.00031622777 / 8};
  REQUIRE(got.numel() == 8);
  for (int j = 0; j < 8; ++j) CHECK(got[j].item<double>() == Approx(expected[j]).epsilon(1e-4));
  CHECK(got[1].item<double>() == Approx(0.24437).epsilon(1e-4));
}

TEST_CASE("config errors name the field", "[lib][model]") {
  auto j = llama31_like();
  SECTION("unknown rope type") {
    j["rope_scaling"]["rope_type"] = "yarn";
    REQUIRE_THROWS_WITH(model::parse_model_config(j, "config.json"), Contains("rope_type 'yarn'"));
  }
  SECTION("negative hidden size") {
    j["hidden_size"] = -1;
    REQUIRE_THROWS_WITH(model::parse_model_config(j, "config.json"), Contains("'hidden_size' must be a positive integer"));
  }
  SECTION("llama3 scaling without its fields") {
    j["rope_scaling"].erase("low_freq_factor");
    REQUIRE_THROWS_WITH(model::parse_model_config(j, "config.json"), Contains("low_freq_factor"));
  }
  SECTION("no architectures") {
    j.erase("architectures");
    REQUIRE_THROWS_AS(model::parse_model_config(j, "config.json"), InputError);
  }
  SECTION("Qwen2 always has q/k/v biases") {
    j["architectures"] = {"Qwen2ForCausalLM"};
    j.erase("rope_scaling");
    CHECK(model::parse_model_config(j, "config.json").attention_bias);
  }
}
