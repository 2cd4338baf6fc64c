// config.json parsing and RoPE frequencies, including Llama-3.1's llama3 scaling by hand.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "lib/core/error.h"
#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "lib/model/model_config.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

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
  CHECK(c.parameter_count() == 8030261248LL);  // Llama-3.1-8B's published parameter count
  CHECK(c.kv_bytes_per_token(16) == 131072);   // 2 · 32 layers · 8 heads · 128 · 2 bytes
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
                                  0.031622777 / 8,
                                  0.01 / 8,
                                  0.0031622777 / 8,
                                  0.001 / 8,
                                  0.00031622777 / 8};
  REQUIRE(got.numel() == 8);
  // The hand-computed smoothing factors above carry 5 significant digits (relative 1e-5); fp32 adds ~1e-7.
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
    REQUIRE_THROWS_WITH(model::parse_model_config(j, "config.json"),
                        Contains("'hidden_size' must be a positive integer"));
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

// ---- config.json read as transformers reads it ----
// Expected values come from the transformers config classes, read in the PyPI wheels transformers 4.57.6 and
// 5.24.0: src/transformers/models/{llama,mistral,qwen2}/configuration_*.py, modeling_rope_utils.py,
// configuration_utils.py (see docs/formats.md, "config.json").

namespace {

// The error kvtuner throws from f, as "[kvt.<category>.<id>] message", or "no error".
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const kvt::Error& e) {
    return e.what();
  }
  return "no error";
}

std::string parse_error(const nlohmann::json& j) {
  return error_of([&] { model::parse_model_config(j, "config.json"); });
}

// Only the fields kvtuner requires; everything else takes the class default.
nlohmann::json minimal(const std::string& arch) {
  nlohmann::json j = {{"architectures", {arch}},   {"hidden_size", 256},       {"num_hidden_layers", 4},
                      {"num_attention_heads", 32}, {"intermediate_size", 512}, {"vocab_size", 1000}};
  return j;
}

const char* kArchs[] = {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"};

}  // namespace

TEST_CASE("config fault: a transformers 5 config (rope_parameters, dtype) is read, not defaulted", "[lib][model]") {
  // transformers 5 save_pretrained: rope_theta moves into rope_parameters, torch_dtype is written as dtype.
  auto j = llama31_like();
  j.erase("rope_theta");
  j.erase("rope_scaling");
  j.erase("torch_dtype");
  j["rope_parameters"] = {{"rope_theta", 500000}, {"rope_type", "default"}};
  j["dtype"] = "bfloat16";
  auto c = model::parse_model_config(j, "config.json");
  CHECK(c.rope_theta == 500000.0);
  CHECK(c.rope_scaling.type == "default");
  CHECK(c.torch_dtype == "bfloat16");
  // The frequencies the forward uses: 1 / theta^(2j/D) with theta 500000, not 10000 (j = 1, D = 128).
  CHECK(model::rope_inv_freq(c)[1].item<double>() == Approx(std::pow(500000.0, -2.0 / 128)).epsilon(1e-6));
}

TEST_CASE("config fault: every rope_type but default, linear and llama3 is refused in both layouts", "[lib][model]") {
  // modeling_rope_utils.py ROPE_INIT_FUNCTIONS (4.57.6: default, linear, dynamic, yarn, longrope, llama3; 5.24.0
  // adds proportional) plus the legacy names su and ntk that older configs carry.
  for (const char* type : {"dynamic", "yarn", "longrope", "su", "ntk", "proportional", "mrope"}) {
    for (const char* layout : {"rope_scaling", "rope_parameters"}) {
      auto j = llama31_like();
      j.erase("rope_scaling");
      j[layout] = {{"rope_type", type}, {"factor", 4.0}, {"original_max_position_embeddings", 8192}};
      std::string e = parse_error(j);
      INFO(layout << " " << type << ": " << e);
      CHECK(e.rfind("[kvt.unsupported.210] config.json: " + std::string(layout) + ": rope_type '" + type +
                        "' is not supported (supported: default, linear, llama3)",
                    0) == 0);
      CHECK(e.find('\n') == std::string::npos);
    }
  }
  // The old key name "type" is read too.
  auto j = llama31_like();
  j["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}};
  CHECK_THAT(parse_error(j), Contains("[kvt.unsupported.210]") && Contains("rope_type 'yarn'"));
}

TEST_CASE("RoPE: the transformers 4 and 5 layouts give the same config", "[lib][model]") {
  // 4.x: rope_theta + rope_scaling {rope_type | type, ...}; 5.x: rope_parameters {rope_type, rope_theta, ...}.
  auto v4 = llama31_like();
  auto v5 = llama31_like();
  v5.erase("rope_theta");
  v5["rope_parameters"] = v5["rope_scaling"];
  v5["rope_parameters"]["rope_theta"] = 500000.0;
  v5.erase("rope_scaling");
  auto old_name = llama31_like();
  old_name["rope_scaling"].erase("rope_type");
  old_name["rope_scaling"]["type"] = "llama3";
  for (const auto& j : {v5, old_name}) {
    auto a = model::parse_model_config(v4, "config.json"), b = model::parse_model_config(j, "config.json");
    CHECK(b.rope_theta == a.rope_theta);
    CHECK(b.rope_scaling.type == "llama3");
    CHECK(at::equal(model::rope_inv_freq(a), model::rope_inv_freq(b)));
  }
  SECTION("linear") {
    for (const char* layout : {"rope_scaling", "rope_parameters"}) {
      auto j = minimal("Qwen2ForCausalLM");
      j["rope_theta"] = 1000000.0;
      j[layout] = {{"rope_type", "linear"}, {"factor", 4}};
      auto c = model::parse_model_config(j, "config.json");
      CHECK(c.rope_scaling.type == "linear");
      CHECK(c.rope_scaling.factor == 4.0);
      CHECK(c.rope_theta == 1000000.0);  // 5.x: the top-level rope_theta fills rope_parameters when it has none
    }
  }
  SECTION("llama3 without original_max_position_embeddings") {
    // 5.x standardize_rope_params: defaults to max_position_embeddings; 4.x fails (KeyError): refused.
    v5["rope_parameters"].erase("original_max_position_embeddings");
    CHECK(model::parse_model_config(v5, "config.json").rope_scaling.original_max_position_embeddings == 131072);
    v5["original_max_position_embeddings"] = 4096;  // 5.x: a top-level value takes priority
    CHECK(model::parse_model_config(v5, "config.json").rope_scaling.original_max_position_embeddings == 4096);
    v4["rope_scaling"].erase("original_max_position_embeddings");
    CHECK_THAT(parse_error(v4), Contains("[kvt.input.320]") &&
                                    Contains("rope_scaling: missing field 'original_max_position_embeddings'"));
  }
  SECTION("rope_parameters without rope_type is default RoPE (5.x setdefault)") {
    auto j = minimal("LlamaForCausalLM");
    j["rope_parameters"] = {{"rope_theta", 20000.0}};
    auto c = model::parse_model_config(j, "config.json");
    CHECK(c.rope_scaling.type == "default");
    CHECK(c.rope_theta == 20000.0);
  }
}

TEST_CASE("RoPE: files that transformers 4 and 5 would read differently are refused", "[lib][model]") {
  auto j = llama31_like();
  SECTION("rope_scaling and rope_parameters disagree") {
    j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 500000.0}};
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.input.326] config.json: rope_scaling (transformers 4 layout) and rope_parameters"));
  }
  SECTION("the same two layouts are accepted") {
    j["rope_parameters"] = j["rope_scaling"];
    CHECK(model::parse_model_config(j, "config.json").rope_scaling.type == "llama3");
  }
  SECTION("rope_type and type disagree") {
    j["rope_scaling"]["type"] = "linear";
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.input.326]") && Contains("rope_type \"llama3\" and type \"linear\" disagree"));
  }
  SECTION("two thetas") {
    j.erase("rope_scaling");
    j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 10000.0}};
    CHECK_THAT(parse_error(j), StartsWith("[kvt.input.326]") &&
                                   Contains("rope_theta 10000.0 disagrees with the top-level rope_theta 500000.0"));
  }
  SECTION("rope_scaling without a type") {
    j["rope_scaling"].erase("rope_type");
    CHECK_THAT(parse_error(j), StartsWith("[kvt.input.320] config.json: rope_scaling: missing field 'rope_type'"));
  }
  SECTION("partial rotary factor") {
    j["partial_rotary_factor"] = 0.5;
    CHECK_THAT(parse_error(j), StartsWith("[kvt.unsupported.216] config.json: partial_rotary_factor 0.5"));
    j.erase("partial_rotary_factor");
    j["rope_scaling"]["partial_rotary_factor"] = 0.25;
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.unsupported.216] config.json: rope_scaling: partial_rotary_factor 0.25"));
  }
  SECTION("per-layer-type rope_parameters") {
    j.erase("rope_scaling");
    j["rope_parameters"] = {{"full_attention", {{"rope_type", "default"}}},
                            {"sliding_attention", {{"rope_type", "default"}}}};
    CHECK_THAT(parse_error(j), StartsWith("[kvt.unsupported.216]") && Contains("per-layer-type RoPE"));
  }
}

TEST_CASE("config defaults when absent are the transformers class defaults, per architecture", "[lib][model]") {
  // LlamaConfig: num_key_value_heads None → num_attention_heads, max_position_embeddings 2048, attention_bias and
  //   mlp_bias False. MistralConfig: num_key_value_heads 8, max_position_embeddings 4096 * 32, sliding_window 4096.
  // Qwen2Config: num_key_value_heads 32, max_position_embeddings 32768, use_sliding_window False; q/k/v biases
  //   always (modeling_qwen2.py). All three: rms_norm_eps 1e-6, rope_theta 10000.0, tie_word_embeddings False,
  //   hidden_act "silu", head_dim hidden_size // num_attention_heads.
  struct Expected {
    const char* arch;
    int kv_heads, max_positions, sliding_window;
    bool qkv_bias;
  };
  for (const Expected& e :
       {Expected{"LlamaForCausalLM", 32, 2048, 0, false}, Expected{"MistralForCausalLM", 8, 131072, 4096, false},
        Expected{"Qwen2ForCausalLM", 32, 32768, 0, true}}) {
    INFO(e.arch);
    auto c = model::parse_model_config(minimal(e.arch), "config.json");
    CHECK(c.num_kv_heads == e.kv_heads);
    CHECK(c.max_position_embeddings == e.max_positions);
    CHECK(c.sliding_window == e.sliding_window);
    CHECK(c.attention_bias == e.qkv_bias);
    CHECK_FALSE(c.o_proj_bias);
    CHECK_FALSE(c.mlp_bias);
    CHECK(c.rms_norm_eps == 1e-6);
    CHECK(c.rope_theta == 10000.0);
    CHECK(c.rope_scaling.type == "default");
    CHECK_FALSE(c.tie_word_embeddings);
    CHECK(c.head_dim == 8);
  }
  SECTION("null num_key_value_heads means num_attention_heads in every class") {
    for (const char* arch : kArchs) {
      auto j = minimal(arch);
      j["num_key_value_heads"] = nullptr;
      CHECK(model::parse_model_config(j, "config.json").num_kv_heads == 32);
    }
  }
  SECTION("a null rms_norm_eps or rope_theta is refused, not defaulted") {
    for (const char* f : {"rms_norm_eps", "rope_theta"}) {
      auto j = minimal("LlamaForCausalLM");
      j[f] = nullptr;
      CHECK_THAT(parse_error(j), StartsWith("[kvt.input.321] config.json: field '" + std::string(f) +
                                            "' must be a positive number, got null"));
    }
  }
}

TEST_CASE("config: head_dim, biases, tied embeddings, activation and dtype", "[lib][model]") {
  SECTION("head_dim given explicitly wins over hidden_size / heads") {
    for (const char* arch : kArchs) {
      auto j = minimal(arch);
      j["head_dim"] = 16;
      CHECK(model::parse_model_config(j, "config.json").head_dim == 16);
    }
  }
  SECTION("Llama attention_bias is q/k/v and o_proj; mlp_bias is the MLP") {
    auto j = minimal("LlamaForCausalLM");
    j["attention_bias"] = true;
    auto c = model::parse_model_config(j, "config.json");
    CHECK(c.attention_bias);
    CHECK(c.o_proj_bias);
    CHECK_FALSE(c.mlp_bias);
    j["mlp_bias"] = true;
    CHECK(model::parse_model_config(j, "config.json").mlp_bias);
    j["mlp_bias"] = "yes";
    CHECK_THAT(parse_error(j), StartsWith("[kvt.input.321] config.json: field 'mlp_bias' must be true or false"));
  }
  SECTION("Mistral and Qwen2 ignore attention_bias / mlp_bias (their modeling code hard-codes the biases)") {
    for (const char* arch : {"MistralForCausalLM", "Qwen2ForCausalLM"}) {
      auto j = minimal(arch);
      j["attention_bias"] = true;
      j["mlp_bias"] = true;
      auto c = model::parse_model_config(j, "config.json");
      CHECK(c.attention_bias == (std::string(arch) == "Qwen2ForCausalLM"));
      CHECK_FALSE(c.o_proj_bias);
      CHECK_FALSE(c.mlp_bias);
    }
  }
  SECTION("tie_word_embeddings") {
    auto j = minimal("Qwen2ForCausalLM");
    j["tie_word_embeddings"] = true;
    CHECK(model::parse_model_config(j, "config.json").tie_word_embeddings);
  }
  SECTION("hidden_act: silu and its transformers alias swish; anything else is refused by name") {
    auto j = minimal("LlamaForCausalLM");
    j["hidden_act"] = "swish";  // activations.py ACT2CLS: "swish": nn.SiLU
    CHECK_NOTHROW(model::parse_model_config(j, "config.json"));
    j["hidden_act"] = "gelu_pytorch_tanh";
    CHECK(parse_error(j) ==
          "[kvt.unsupported.211] config.json: hidden_act \"gelu_pytorch_tanh\" is not supported (supported: silu, "
          "swish)");
  }
  SECTION("dtype (transformers 5) wins over torch_dtype (4), as PretrainedConfig keeps dtype when both are given") {
    auto j = minimal("LlamaForCausalLM");
    j["torch_dtype"] = "float16";
    CHECK(model::parse_model_config(j, "config.json").torch_dtype == "float16");
    j["dtype"] = "bfloat16";
    CHECK(model::parse_model_config(j, "config.json").torch_dtype == "bfloat16");
  }
}

TEST_CASE("config: the sliding-window family per architecture", "[lib][model]") {
  SECTION("Mistral: sliding_window missing → 4096, null → none, a number → that window") {
    auto j = minimal("MistralForCausalLM");
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 4096);
    j["sliding_window"] = nullptr;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 0);
    j["sliding_window"] = 100;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 100);
    j["sliding_window"] = 0;
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.input.321] config.json: field 'sliding_window' must be a positive integer, got 0"));
  }
  SECTION("Llama ignores sliding_window (LlamaAttention has none)") {
    auto j = minimal("LlamaForCausalLM");
    j["sliding_window"] = 128;
    j["use_sliding_window"] = true;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 0);
  }
  SECTION("Qwen2: the window needs use_sliding_window and applies from max_window_layers (default 28)") {
    auto j = minimal("Qwen2ForCausalLM");
    j["sliding_window"] = 64;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 0);  // use_sliding_window defaults to false
    j["use_sliding_window"] = true;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 0);  // 4 layers < max_window_layers 28
    j["max_window_layers"] = 0;
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 64);
    j.erase("sliding_window");
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 4096);  // Qwen2Config sliding_window=4096
    j["max_window_layers"] = 2;
    CHECK_THAT(
        parse_error(j),
        StartsWith("[kvt.unsupported.214] config.json: sliding window 4096 on only some layers (max_window_layers 2"));
    j["num_hidden_layers"] = 30;
    j.erase("max_window_layers");  // the default 28: layers 28 and 29 slide
    CHECK_THAT(parse_error(j), StartsWith("[kvt.unsupported.214]") && Contains("max_window_layers 28"));
  }
  SECTION("Qwen2 layer_types replaces max_window_layers") {
    auto j = minimal("Qwen2ForCausalLM");
    j["use_sliding_window"] = true;
    j["sliding_window"] = 32;
    j["layer_types"] = {"sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention"};
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 32);
    j["layer_types"][3] = "full_attention";
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.unsupported.214]") && Contains("(layer_types: layer 3 full, layer 0 sliding)"));
    j["layer_types"] = {"full_attention", "attention", "full_attention", "full_attention"};  // 5.x renames attention
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 0);
    j["layer_types"] = {"full_attention", "full_attention", "full_attention"};
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.input.321] config.json: field 'layer_types' must list one type per layer"));
    j["layer_types"] = {"chunked_attention", "full_attention", "full_attention", "full_attention"};
    CHECK_THAT(parse_error(j),
               StartsWith("[kvt.unsupported.214] config.json: layer_types[0] 'chunked_attention' is not supported"));
    j["use_sliding_window"] = false;
    j["layer_types"] = {"sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention"};
    CHECK_THAT(parse_error(j), StartsWith("[kvt.input.321]") && Contains("'sliding_attention' but no window is set"));
  }
  SECTION("Llama and Mistral ignore layer_types: one that asks for other windows is refused") {
    auto j = minimal("MistralForCausalLM");
    j["layer_types"] = {"sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention"};
    CHECK(model::parse_model_config(j, "config.json").sliding_window == 4096);
    j["layer_types"][1] = "full_attention";
    CHECK_THAT(parse_error(j), StartsWith("[kvt.unsupported.214] config.json: layer_types[1] is 'full_attention'"));
    j["architectures"] = {"LlamaForCausalLM"};
    j["layer_types"][1] = "sliding_attention";
    CHECK_THAT(parse_error(j), StartsWith("[kvt.unsupported.214] config.json: layer_types[0] is 'sliding_attention'"));
  }
}

TEST_CASE("a pre-quantized checkpoint is refused naming the method", "[lib][model]") {
  // transformers quantizers/auto.py: quant_method names the method; old bitsandbytes configs only say load_in_4bit.
  for (const auto& [q, method] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"quant_method", "awq"}, {"bits", 4}}, "awq"},
           {{{"quant_method", "gptq"}, {"bits", 4}}, "gptq"},
           {{{"quant_method", "fp8"}}, "fp8"},
           {{{"quant_method", "compressed-tensors"}}, "compressed-tensors"},
           {{{"load_in_4bit", true}}, "bitsandbytes"}}) {
    auto j = llama31_like();
    j["quantization_config"] = q;
    CHECK(parse_error(j) ==
          "[kvt.unsupported.215] config.json: quantization_config says the weights are pre-quantized "
          "(quant_method " +
              method + "); kvtuner needs the unquantized model (the original bf16/fp16 checkpoint)");
  }
}

TEST_CASE("a fixture rewritten in the transformers 5 layout runs the same forward", "[lib][model]") {
  test::FixtureSpec spec;
  spec.rope_theta = 500000;
  spec.llama3_rope = true;
  auto dir = test::write_fixture_model(test::fresh_test_dir("cfg_v5_layout"), spec);
  auto prompts = test::random_prompts({40}, spec.vocab, 3);
  auto v4_logits = model::forward(model::Model::open(dir), prompts, {})[0];
  auto path = dir + "/config.json";
  auto j = nlohmann::json::parse(std::ifstream(path));
  j["rope_parameters"] = j["rope_scaling"];
  j["rope_parameters"]["rope_theta"] = j["rope_theta"];
  j["dtype"] = j["torch_dtype"];
  for (const char* f : {"rope_scaling", "rope_theta", "torch_dtype"}) j.erase(f);
  std::ofstream(path) << j.dump(2);
  auto m = model::Model::open(dir);
  CHECK(m.config().rope_theta == 500000.0);
  CHECK(at::equal(model::forward(m, prompts, {})[0], v4_logits));  // identical inputs, identical arithmetic
}
