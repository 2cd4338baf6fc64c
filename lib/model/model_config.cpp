#include "lib/model/model_config.h"

#include <climits>
#include <filesystem>
#include <optional>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"
#include "lib/model/arch_registry.h"
#include "lib/model/config_fields.h"

namespace kvt::model {

namespace {

// bos_token_id / eos_token_id: an integer or a list whose first entry is used; anything else means none (-1).
// Checked in 64 bits before narrowing: an id outside 0..2^31-1 is refused naming the field.
int read_token_id(const nlohmann::json& j, const std::string& source, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return -1;
  const auto& v = j[field];
  const nlohmann::json* id = v.is_number_integer()                                    ? &v
                             : v.is_array() && !v.empty() && v[0].is_number_integer() ? &v[0]
                                                                                      : nullptr;
  if (!id) return -1;
  if (id->is_number_unsigned() ? id->get<uint64_t>() > uint64_t(INT32_MAX)
                               : (id->get<int64_t>() < 0 || id->get<int64_t>() > INT32_MAX))
    throw InputError(source + ": field '" + std::string(field) + "' must be a token id in 0.." +
                         std::to_string(INT32_MAX) + ", got " + id->dump(),
                     321);
  return id->get<int>();
}

std::string number_text(double x) {
  nlohmann::json v = x;
  return v.dump();
}

// transformers' default RoPE base: LlamaConfig/MistralConfig/Qwen2Config rope_theta=10000.0 (4.x),
// RotaryEmbeddingConfigMixin.default_theta = 10_000.0 (5.x).
constexpr double kDefaultRopeTheta = 10000.0;

// RoPE from either layout, as docs/formats.md ("RoPE") describes:
// - transformers 4 reads `rope_theta` and `rope_scaling` ({"rope_type" or "type", ...}) and ignores rope_parameters;
// - transformers 5 reads `rope_parameters` ({"rope_type", "rope_theta", ...}), moving a legacy rope_scaling and
//   rope_theta into it when given.
// Where the two versions would run different math from one file, the file is refused (input.326).
void read_rope(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  const bool has_scaling = has_value(j, "rope_scaling"), has_parameters = has_value(j, "rope_parameters");
  for (const char* f : {"rope_scaling", "rope_parameters"})
    if (has_value(j, f) && !j[f].is_object())
      throw InputError(source + ": field '" + std::string(f) + "' must be an object or null, got " + j[f].dump(), 322);
  if (has_scaling && has_parameters && j["rope_scaling"] != j["rope_parameters"])
    throw InputError(source +
                         ": rope_scaling (transformers 4 layout) and rope_parameters (transformers 5 layout) "
                         "disagree; keep one of them",
                     326);
  const std::optional<double> top_theta = optional_positive_number(j, source, "rope_theta");
  if (has_value(j, "partial_rotary_factor") && j["partial_rotary_factor"] != 1.0)
    throw UnsupportedError(source + ": partial_rotary_factor " + j["partial_rotary_factor"].dump() +
                               " is not supported (RoPE on the whole head only)",
                           216);
  if (!has_scaling && !has_parameters) {
    c.rope_theta = top_theta.value_or(kDefaultRopeTheta);
    return;
  }
  const bool legacy = has_scaling;  // the transformers 4 layout (also what transformers 5 uses first)
  const std::string name = legacy ? "rope_scaling" : "rope_parameters";
  const nlohmann::json& r = j[name];
  const std::string where = source + ": " + name;
  for (auto it = r.begin(); it != r.end(); ++it)
    if (it.value().is_object())  // transformers 5 nests one dict per layer type (e.g. {"full_attention": {...}})
      throw UnsupportedError(where + ": per-layer-type RoPE ('" + it.key() + "') is not supported", 216);
  if (has_value(r, "partial_rotary_factor") && r["partial_rotary_factor"] != 1.0)
    throw UnsupportedError(where + ": partial_rotary_factor " + r["partial_rotary_factor"].dump() +
                               " is not supported (RoPE on the whole head only)",
                           216);

  // rope_type, or its old name type. transformers 4 copies type over rope_type in Llama/Qwen2 but not Mistral,
  // transformers 5 keeps rope_type: two different values are ambiguous.
  for (const char* f : {"rope_type", "type"})
    if (r.contains(f) && !r[f].is_string())
      throw InputError(where + ": field '" + std::string(f) + "' must be a string", 321);
  if (r.contains("rope_type") && r.contains("type") && r["rope_type"] != r["type"])
    throw InputError(where + ": rope_type " + r["rope_type"].dump() + " and type " + r["type"].dump() + " disagree",
                     326);
  std::string type;
  if (r.contains("rope_type")) {
    type = r["rope_type"].get<std::string>();
  } else if (r.contains("type")) {
    type = r["type"].get<std::string>();
  } else if (legacy) {
    // transformers 4 fails to load it (KeyError 'rope_type'); 5 runs default RoPE and ignores the rest.
    throw InputError(where + ": missing field 'rope_type' (or 'type')", 320);
  } else {
    type = "default";  // transformers 5: rope_parameters.setdefault("rope_type", "default")
  }

  // theta: transformers 4 reads only the top-level rope_theta; 5 prefers the one inside the dict.
  const std::optional<double> inner_theta = optional_positive_number(r, where, "rope_theta");
  if (inner_theta && top_theta && *inner_theta != *top_theta)
    throw InputError(where + ": rope_theta " + number_text(*inner_theta) + " disagrees with the top-level rope_theta " +
                         number_text(*top_theta),
                     326);
  if (inner_theta && !top_theta && legacy)
    throw InputError(where +
                         ": rope_theta inside rope_scaling without a top-level rope_theta (transformers 4 ignores it "
                         "and uses 10000, transformers 5 uses it); move it to the top level",
                     326);
  c.rope_theta = inner_theta ? *inner_theta : top_theta.value_or(kDefaultRopeTheta);

  if (type == "default") return;
  if (type != "linear" && type != "llama3")
    throw UnsupportedError(where + ": rope_type '" + type + "' is not supported (supported: default, linear, llama3)",
                           210);
  RopeScaling& s = c.rope_scaling;
  s.type = type;
  if (!has_value(r, "factor")) throw InputError(where + ": missing field 'factor' for rope_type " + type, 320);
  s.factor = positive_number_or(r, where, "factor", 0);
  if (type != "llama3") return;
  for (const char* f : {"low_freq_factor", "high_freq_factor"})
    if (!has_value(r, f))
      throw InputError(where + ": missing field '" + std::string(f) + "' for rope_type llama3", 320);
  s.low_freq_factor = positive_number_or(r, where, "low_freq_factor", 0);
  s.high_freq_factor = positive_number_or(r, where, "high_freq_factor", 0);
  if (s.high_freq_factor <= s.low_freq_factor)
    throw InputError(where + ": high_freq_factor must exceed low_freq_factor", 321);
  // original_max_position_embeddings: required by transformers 4 (KeyError otherwise); transformers 5 takes a
  // top-level original_max_position_embeddings first, else the dict's, else max_position_embeddings.
  const char* omp = "original_max_position_embeddings";
  const bool inner = has_value(r, omp), top = has_value(j, omp);
  if (inner && top && r[omp] != j[omp])
    throw InputError(where + ": original_max_position_embeddings " + r[omp].dump() +
                         " disagrees with the top-level original_max_position_embeddings " + j[omp].dump(),
                     326);
  if (legacy && !inner)
    throw InputError(where + ": missing field 'original_max_position_embeddings' for rope_type llama3", 320);
  s.original_max_position_embeddings = top     ? positive_int_or(j, source, omp, 0)
                                       : inner ? positive_int_or(r, where, omp, 0)
                                               : c.max_position_embeddings;
}

// A checkpoint whose weights are already quantized cannot be profiled: kvtuner needs the original weights.
void refuse_quantized_checkpoint(const nlohmann::json& j, const std::string& source) {
  for (const char* f : {"quantization_config", "compression_config"}) {
    if (!has_value(j, f)) continue;
    const auto& q = j[f];
    std::string method = "unknown";
    if (q.is_object() && q.contains("quant_method") && q["quant_method"].is_string())
      method = q["quant_method"].get<std::string>();
    else if (q.is_object() && (q.contains("load_in_4bit") || q.contains("load_in_8bit")))
      method = "bitsandbytes";  // transformers' name for configs saved before quant_method existed
    else if (std::string(f) == "compression_config")
      method = "compressed-tensors";
    throw UnsupportedError(source + ": " + f + " says the weights are pre-quantized (quant_method " + method +
                               "); kvtuner needs the unquantized model (the original bf16/fp16 checkpoint)",
                           215);
  }
}

}  // namespace

int64_t ModelConfig::parameter_count() const {
  int64_t h = hidden_size, q = int64_t(num_heads) * head_dim, kv = int64_t(num_kv_heads) * head_dim;
  int64_t attn = h * q + 2 * h * kv + q * h + (attention_bias ? q + 2 * kv : 0) + (o_proj_bias ? h : 0);
  int64_t mlp = 3 * h * int64_t(intermediate_size) + (mlp_bias ? 2 * int64_t(intermediate_size) + h : 0);
  int64_t per_layer = attn + mlp + 2 * h;
  int64_t embed = int64_t(vocab_size) * h;
  return embed + (tie_word_embeddings ? 0 : embed) + num_layers * per_layer + h;
}

int64_t ModelConfig::kv_bytes_per_token(int bits) const {
  return int64_t(2) * num_layers * num_kv_heads * head_dim * bits / 8;
}

ModelConfig parse_model_config(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw InputError(source + ": not a JSON object", 323);
  refuse_quantized_checkpoint(j, source);
  if (!j.contains("architectures") || !j["architectures"].is_array() || j["architectures"].empty() ||
      !j["architectures"][0].is_string())
    throw InputError(source + ": missing field 'architectures' (supported: " + supported_architecture_list() + ")",
                     320);
  ModelConfig c;
  c.architecture = j["architectures"][0].get<std::string>();
  const ArchSpec& arch = find_architecture(c.architecture, source);
  c.model_type = arch.model_type;
  c.hidden_size = required_positive_int(j, source, "hidden_size");
  c.num_layers = required_positive_int(j, source, "num_hidden_layers");
  c.num_heads = required_positive_int(j, source, "num_attention_heads");
  // Missing: the class default (Mistral 8, Qwen2 32, Llama num_attention_heads); null: num_attention_heads.
  c.num_kv_heads =
      j.contains("num_key_value_heads") && j["num_key_value_heads"].is_null()
          ? c.num_heads
          : positive_int_or(j, source, "num_key_value_heads",
                            arch.defaults.num_key_value_heads > 0 ? arch.defaults.num_key_value_heads : c.num_heads);
  if (c.num_heads % c.num_kv_heads != 0)
    throw InputError(source + ": num_key_value_heads (" + std::to_string(c.num_kv_heads) +
                         ") does not divide num_attention_heads (" + std::to_string(c.num_heads) + ")",
                     324);
  if (has_value(j, "head_dim")) {
    c.head_dim = required_positive_int(j, source, "head_dim");
  } else {
    if (c.hidden_size % c.num_heads != 0)
      throw InputError(source + ": hidden_size (" + std::to_string(c.hidden_size) +
                           ") is not a multiple of num_attention_heads and no head_dim is given",
                       324);
    c.head_dim = c.hidden_size / c.num_heads;
  }
  if (c.head_dim % 2 != 0)
    throw InputError(source + ": head_dim (" + std::to_string(c.head_dim) + ") must be even for RoPE", 324);
  c.intermediate_size = required_positive_int(j, source, "intermediate_size");
  c.vocab_size = required_positive_int(j, source, "vocab_size");
  c.max_position_embeddings =
      positive_int_or(j, source, "max_position_embeddings", arch.defaults.max_position_embeddings);
  c.rms_norm_eps = positive_number_or(j, source, "rms_norm_eps", 1e-6);  // all three classes: 1e-6
  read_rope(j, source, c);
  c.tie_word_embeddings = bool_or(j, source, "tie_word_embeddings", false);  // all three classes: False
  // transformers 5 writes dtype, 4 torch_dtype; when both are given, dtype wins (PretrainedConfig.__init__).
  for (const char* f : {"torch_dtype", "dtype"})
    if (has_value(j, f) && j[f].is_string()) c.torch_dtype = j[f].get<std::string>();
  // hidden_act (default "silu"): ACT2CLS maps both "silu" and "swish" to SiLU.
  if (j.contains("hidden_act") && j["hidden_act"] != "silu" && j["hidden_act"] != "swish")
    throw UnsupportedError(
        source + ": hidden_act " + j["hidden_act"].dump() + " is not supported (supported: silu, swish)", 211);
  c.bos_token_id = read_token_id(j, source, "bos_token_id");
  c.eos_token_id = read_token_id(j, source, "eos_token_id");
  if (arch.read_extra) arch.read_extra(j, source, c);
  return c;
}

ModelConfig parse_model_config_text(const std::string& text, const std::string& source) {
  return parse_model_config(parse_json(text, source, 323), source);
}

ModelConfig load_model_config(const std::string& model_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(model_dir)) throw InputError(model_dir + ": not a model directory", 325);
  std::string path = (fs::path(model_dir) / "config.json").string();
  if (!fs::exists(path)) throw InputError(path + ": missing (a Hugging Face model directory needs config.json)", 325);
  return parse_model_config_text(read_file(path), path);
}

nlohmann::json to_hf_config_json(const ModelConfig& c) {
  nlohmann::ordered_json j;
  j["architectures"] = {c.architecture};
  j["model_type"] = c.model_type;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  j["head_dim"] = c.head_dim;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = "silu";
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["vocab_size"] = c.vocab_size;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope_theta;
  if (c.rope_scaling.type == "default") {
    j["rope_scaling"] = nullptr;
  } else {
    nlohmann::ordered_json r;
    r["rope_type"] = c.rope_scaling.type;
    r["factor"] = c.rope_scaling.factor;
    if (c.rope_scaling.type == "llama3") {
      r["low_freq_factor"] = c.rope_scaling.low_freq_factor;
      r["high_freq_factor"] = c.rope_scaling.high_freq_factor;
      r["original_max_position_embeddings"] = c.rope_scaling.original_max_position_embeddings;
    }
    j["rope_scaling"] = r;
  }
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  // Only what the architecture can express: Llama biases come as attention_bias (q/k/v/o) and mlp_bias,
  // Qwen2 always has q/k/v biases, Mistral none; Llama has no sliding window.
  KVT_ASSERT(c.model_type != "llama" || (c.o_proj_bias == c.attention_bias && c.sliding_window == 0),
             "a Llama config.json cannot express these biases or a sliding window");
  KVT_ASSERT(c.model_type != "mistral" || (!c.attention_bias && !c.o_proj_bias && !c.mlp_bias),
             "Mistral has no biases");
  KVT_ASSERT(c.model_type != "qwen2" || (c.attention_bias && !c.o_proj_bias && !c.mlp_bias),
             "Qwen2 has q/k/v biases only");
  if (c.model_type == "llama") {
    j["attention_bias"] = c.attention_bias;
    j["mlp_bias"] = c.mlp_bias;
  }
  if (c.model_type == "mistral" || c.model_type == "qwen2")
    j["sliding_window"] = c.sliding_window > 0 ? nlohmann::json(c.sliding_window) : nlohmann::json(nullptr);
  if (c.model_type == "qwen2") {
    j["use_sliding_window"] = c.sliding_window > 0;
    j["max_window_layers"] = c.sliding_window > 0 ? 0 : c.num_layers;  // the window on every layer, or none
  }
  j["torch_dtype"] = c.torch_dtype;
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_id >= 0) j["eos_token_id"] = c.eos_token_id;
  j["attention_dropout"] = 0.0;
  return nlohmann::json::parse(j.dump());  // plain json: keys sorted, so files are stable
}

}  // namespace kvt::model
