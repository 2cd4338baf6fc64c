// kvtuner-search inspect --model DIR [--json]: what the model is and what its KV cache costs.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/kvtuner-search/commands.h"
#include "lib/model/model.h"

namespace kvt::app {

namespace {

struct InspectOptions {
  std::string model_dir;
  bool json = false;
};

void run_inspect(const InspectOptions& opt) {
  auto model = model::Model::open(opt.model_dir);
  const auto& c = model.config();
  nlohmann::ordered_json j;
  j["model"] = opt.model_dir;
  j["architecture"] = c.architecture;
  j["layers"] = c.num_layers;
  j["hidden_size"] = c.hidden_size;
  j["attention_heads"] = c.num_heads;
  j["kv_heads"] = c.num_kv_heads;
  j["head_dim"] = c.head_dim;
  j["intermediate_size"] = c.intermediate_size;
  j["vocab_size"] = c.vocab_size;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rope_theta"] = c.rope_theta;
  j["rope_scaling"] = c.rope_scaling.type;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["attention_bias"] = c.attention_bias;
  j["parameters"] = c.parameter_count();
  j["kv_cache_bytes_per_token_16bit"] = c.kv_bytes_per_token(16);
  j["weight_dtypes"] = model.weight_dtypes();
  j["model_hash"] = model.hash();
  if (opt.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::string dtypes;
  for (const auto& [name, count] : model.weight_dtypes())
    dtypes += (dtypes.empty() ? "" : ", ") + name + " ×" + std::to_string(count);
  std::printf("model            %s\n", opt.model_dir.c_str());
  std::printf("architecture     %s\n", c.architecture.c_str());
  std::printf("layers           %d\n", c.num_layers);
  std::printf("hidden size      %d (intermediate %d)\n", c.hidden_size, c.intermediate_size);
  std::printf("attention heads  %d, KV heads %d (GQA group %d), head_dim %d\n", c.num_heads, c.num_kv_heads,
              c.num_heads / c.num_kv_heads, c.head_dim);
  std::printf("vocabulary       %d, context %d, RoPE theta %g (%s scaling)\n", c.vocab_size, c.max_position_embeddings,
              c.rope_theta, c.rope_scaling.type.c_str());
  std::printf("parameters       %lld (%.2f M)\n", static_cast<long long>(c.parameter_count()),
              c.parameter_count() / 1e6);
  std::printf("KV cache         %lld bytes per token at 16 bits (%.1f KiB)\n",
              static_cast<long long>(c.kv_bytes_per_token(16)), c.kv_bytes_per_token(16) / 1024.0);
  std::printf("weight dtypes    %s\n", dtypes.c_str());
  std::printf("model hash       %s\n", model.hash().c_str());
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto opt = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "Show a model's architecture, size and KV-cache cost");
  cmd->add_option("--model", opt->model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt] { run_inspect(*opt); });
}

}  // namespace kvt::app
