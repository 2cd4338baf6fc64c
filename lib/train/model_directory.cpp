#include "lib/train/model_directory.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::NoGradGuard (not in ATen.h of LibTorch 2.x)

#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/output.h"
#include "lib/model/safetensors.h"

namespace kvt::train {

namespace {

std::string hf_dtype_name(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::ScalarType::Float:
      return "float32";
    case c10::ScalarType::BFloat16:
      return "bfloat16";
    case c10::ScalarType::Half:
      return "float16";
    default:
      throw UnsupportedError(std::string("model weights cannot be saved as ") + c10::toString(dtype), 550);
  }
}

std::string dump(const nlohmann::json& j) { return j.dump(2) + "\n"; }

}  // namespace

const std::vector<std::string>& model_directory_files() {
  static const std::vector<std::string> files = {"config.json", "generation_config.json", "model.safetensors",
                                                 "tokenizer.json", "tokenizer_config.json"};
  return files;
}

void write_model_directory(const std::string& dir, const LlamaParameters& model, const BpeVocabulary& vocabulary,
                           c10::ScalarType dtype, bool force) {
  namespace fs = std::filesystem;
  for (const auto& name : model_directory_files()) check_overwrite((fs::path(dir) / name).string(), force);
  ensure_directory(dir);

  kvt::model::ModelConfig config = model.config();
  config.torch_dtype = hf_dtype_name(dtype);
  write_file_atomic((fs::path(dir) / "config.json").string(), dump(kvt::model::to_hf_config_json(config)), force);

  nlohmann::json generation;
  generation["bos_token_id"] = config.bos_token_id;
  generation["eos_token_id"] = config.eos_token_id;
  generation["do_sample"] = false;
  write_file_atomic((fs::path(dir) / "generation_config.json").string(), dump(generation), force);

  std::vector<std::pair<std::string, at::Tensor>> tensors;
  {
    at::NoGradGuard no_grad;
    for (const auto& [name, t] : model.named_tensors()) tensors.emplace_back(name, t.detach().to(dtype).contiguous());
  }
  kvt::model::write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}}, force);

  write_file_atomic((fs::path(dir) / "tokenizer.json").string(), dump(tokenizer_json(vocabulary)), force);
  write_file_atomic((fs::path(dir) / "tokenizer_config.json").string(),
                    dump(tokenizer_config_json(vocabulary, config.max_position_embeddings)), force);
}

}  // namespace kvt::train
