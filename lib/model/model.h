// A Hugging Face model directory opened for inference: config.json plus memory-mapped safetensors
// (single file or shards from model.safetensors.index.json). Weights are read lazily, one layer at a time.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/model/forward.h"
#include "lib/model/model_config.h"

namespace kvt::model {

class WeightStore;

class Model {
 public:
  // Loads config.json, maps and validates every safetensors file, and checks that every tensor the
  // architecture needs is present with the expected shape. @throws InputError / UnsupportedError.
  static Model open(const std::string& model_dir);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  const ModelConfig& config() const { return config_; }
  const std::string& directory() const { return directory_; }
  // Hash of config.json and the safetensors headers: identifies the model in outputs.
  const std::string& hash() const { return hash_; }
  // dtype name → number of tensors, e.g. {"BF16": 75}.
  std::map<std::string, int> weight_dtypes() const;

  // Layer l's weights converted to dtype on device (a copy; the mapped pages are released after).
  LayerWeights layer(int l, c10::ScalarType dtype, c10::Device device) const;
  // Embedding rows for ids [N] → [N, hidden] in dtype.
  at::Tensor embed(const at::Tensor& ids, c10::ScalarType dtype, c10::Device device) const;
  at::Tensor final_norm(c10::ScalarType dtype, c10::Device device) const;  // [hidden]
  at::Tensor lm_head(c10::ScalarType dtype, c10::Device device) const;     // [V, hidden]

 private:
  Model() = default;
  ModelConfig config_;
  std::string directory_;
  std::string hash_;
  std::unique_ptr<WeightStore> weights_;
};

// "float32" | "bfloat16" | "float16" (also fp32/bf16/fp16) → dtype. @throws InputError naming --dtype.
c10::ScalarType parse_dtype(const std::string& name);
// "cpu" | "cuda" | "cuda:N" → device; @throws InputError when CUDA is not available.
c10::Device parse_device(const std::string& name);

}  // namespace kvt::model
