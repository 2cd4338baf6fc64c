#include "lib/model/model_config.h"

#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/output.h"
#include "lib/model/arch_registry.h"

namespace kvt::model {

namespace {

int read_positive_int(const nlohmann::json& j, const std::string& source, const char* field) {
  if (!j.contains(field)) throw InputError(source + ": missing field '" + field + "'", 320);
  const auto& v = j[field];
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > (1LL << 31))
    throw InputError(source + ": field '" + field + "' must be a positive integer, got " + v.dump(), 321);
  return v.get<int>();
}

double read_positive_number(const nlohmann::json& j, const std::string& source, const char* field, double fallback) {
  if (!j.contains(field) || j[field].is_null()) return fallback;
  const auto& v = j[field];
  if (!v.is_number() || v.get<double>() <= 0)
    throw InputError(source + ": field '" + field + "' must be a positive number, got " + v.dump(), 321);
  return v.get<double>();
}

int read_token_id(const nlohmann::json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return -1;
  const auto& v = j[field];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_array() && !v.empty() && v[0].is_number_integer()) return v[0].get<int>();
  return -1;
}

RopeScaling read_rope_scaling(const nlohmann::json& j, const std::string& source) {
  RopeScaling r;
  if (!j.contains("rope_scaling") || j["rope_scaling"].is_null()) return r;
  const auto& s = j["rope_scaling"];
  if (!s.is_object()) throw InputError(source + ": field 'rope_scaling' must be an object or null", 322);
  std::string type = s.value("rope_type", s.value("type", std::string("default")));
  auto where = source + ": rope_scaling";
  if (type == "default") return r;
  if (type != "llama3" && type != "linear")
    throw UnsupportedError(where + ": rope_type '" + type + "' is not supported (supported: default, linear, llama3)", 210);
  r.type = type;
  r.factor = read_positive_number(s, where, "factor", 0);
  if (r.factor <= 0) throw InputError(where + ": missing field 'factor'", 320);
  if (type == "llama3") {
    for (const char* f : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"})
      if (!s.contains(f)) throw InputError(where + ": missing field '" + std::string(f) + "' for rope_type llama3", 320);
    r.low_freq_factor = read_positive_number(s, where, "low_freq_factor", 1.0);
    r.high_freq_factor = read_positive_number(s, where, "high_freq_factor", 4.0);
    r.original_max_position_embeddings = read_positive_int(s, where, "original_max_position_embeddings");
    if (r.high_freq_factor <= r.low_freq_factor)
      throw InputError(where + ": high_freq_factor must exceed low_freq_factor", 321);
  }
  return r;
}

}  // namespace

int64_t ModelConfig::parameter_count() const {
  int64_t h = hidden_size, q = int64_t(num_heads) * head_dim, kv = int64_t(num_kv_heads) * head_dim;
  int64_t attn = h * q + 2 * h * kv + q * h + (attention_bias ? q + 2 * kv : 0);
  int64_t mlp = 3 * h * int64_t(intermediate_size);
  int64_t per_layer = attn + mlp + 2 * h;
  int64_t embed = int64_t(vocab_size) * h;
  return embed + (tie_word_embeddings ? 0 : embed) + num_layers * per_layer + h;
}

int64_t ModelConfig::kv_bytes_per_token(int bits) const {
  return int64_t(2) * num_layers * num_kv_heads * head_dim * bits / 8;
}

ModelConfig parse_model_config(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw InputError(source + ": not a JSON object", 323);
  if (!j.contains("architectures") || !j["architectures"].is_array() || j["architectures"].empty() ||
      !j["architectures"][0].is_string())
    throw InputError(source + ": missing field 'architectures' (supported: " + supported_architecture_list() + ")", 320);
  ModelConfig c;
  c.architecture = j["architectures"][0].get<std::string>();
  const ArchSpec& arch = find_architecture(c.architecture, source);
  c.model_type = arch.model_type;
  c.hidden_size = read_positive_int(j, source, "hidden_size");
  c.num_layers = read_positive_int(j, source, "num_hidden_layers");
  c.num_heads = read_positive_int(j, source, "num_attention_heads");
  c.num_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                       ? read_positive_int(j, source, "num_key_value_heads")
                       : c.num_heads;
  if (c.num_heads % c.num_kv_heads != 0)
    throw InputError(source + ": num_key_value_heads (" + std::to_string(c.num_kv_heads) +
                         ") does not divide num_attention_heads (" + std::to_string(c.num_heads) + ")", 324);
  if (j.contains("head_dim") && !j["head_dim"].is_null()) {
    c.head_dim = read_positive_int(j, source, "head_dim");
  } else {
    if (c.hidden_size % c.num_heads != 0)
      throw InputError(source + ": hidden_size (" + std::to_string(c.hidden_size) +
                           ") is not a multiple of num_attention_heads and no head_dim is given", 324);
    c.head_dim = c.hidden_size / c.num_heads;
  }
  if (c.head_dim % 2 != 0) throw InputError(source + ": head_dim (" + std::to_string(c.head_dim) + ") must be even for RoPE", 324);
  c.intermediate_size = read_positive_int(j, source, "intermediate_size");
  c.vocab_size = read_positive_int(j, source, "vocab_size");
  c.max_position_embeddings = read_positive_int(j, source, "max_position_embeddings");
  c.rms_norm_eps = read_positive_number(j, source, "rms_norm_eps", 1e-6);
  c.rope_theta = read_positive_number(j, source, "rope_theta", 10000.0);
  c.rope_scaling = read_rope_scaling(j, source);
  if (j.contains("tie_word_embeddings") && !j["tie_word_embeddings"].is_null()) {
    if (!j["tie_word_embeddings"].is_boolean())
      throw InputError(source + ": field 'tie_word_embeddings' must be true or false", 321);
    c.tie_word_embeddings = j["tie_word_embeddings"].get<bool>();
  }
  if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) c.torch_dtype = j["torch_dtype"].get<std::string>();
  if (j.contains("hidden_act") && j["hidden_act"] != "silu")
    throw UnsupportedError(source + ": hidden_act " + j["hidden_act"].dump() + " is not supported (supported: silu)", 211);
  c.bos_token_id = read_token_id(j, "bos_token_id");
  c.eos_token_id = read_token_id(j, "eos_token_id");
  if (arch.read_extra) arch.read_extra(j, source, c);
  return c;
}

ModelConfig load_model_config(const std::string& model_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(model_dir)) throw InputError(model_dir + ": not a model directory", 325);
  std::string path = (fs::path(model_dir) / "config.json").string();
  if (!fs::exists(path)) throw InputError(path + ": missing (a Hugging Face model directory needs config.json)", 325);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": invalid JSON: " + e.what(), 323);
  }
  return parse_model_config(j, path);
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
  if (c.model_type == "llama") {
    j["attention_bias"] = c.attention_bias;
    j["mlp_bias"] = false;
  }
  if (c.model_type == "mistral" || c.model_type == "qwen2")
    j["sliding_window"] = c.sliding_window > 0 ? nlohmann::json(c.sliding_window) : nlohmann::json(nullptr);
  if (c.model_type == "qwen2") j["use_sliding_window"] = c.sliding_window > 0;
  j["torch_dtype"] = c.torch_dtype;
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_id >= 0) j["eos_token_id"] = c.eos_token_id;
  j["attention_dropout"] = 0.0;
  return nlohmann::json::parse(j.dump());  // plain json: keys sorted, so files are stable
}

}  // namespace kvt::model
