#include "lib/model/model.h"

#include <ATen/ATen.h>

#include <cctype>
#include <cstdint>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/core/output.h"
#include "lib/model/weight_store.h"

namespace fs = std::filesystem;

namespace kvt::model {

namespace {

// Every tensor the decoder needs, with its expected shape.
std::vector<std::pair<std::string, std::vector<int64_t>>> required_tensors(const ModelConfig& c) {
  const int64_t h = c.hidden_size, v = c.vocab_size;
  std::vector<std::pair<std::string, std::vector<int64_t>>> out = {{"model.embed_tokens.weight", {v, h}},
                                                                   {"model.norm.weight", {h}}};
  if (!c.tie_word_embeddings) out.push_back({"lm_head.weight", {v, h}});
  const std::vector<LayerTensor> per_layer = layer_tensors(c);
  for (int l = 0; l < c.num_layers; ++l)
    for (const LayerTensor& t : per_layer) out.push_back({layer_prefix(l) + t.suffix, t.shape});
  return out;
}

// Weights of layers beyond num_hidden_layers mean config.json and the checkpoint disagree (a truncated config,
// or the wrong config for these weights): transformers would drop them with a warning; kvtuner refuses.
void refuse_extra_layers(const WeightStore& weights, const ModelConfig& c) {
  const std::string prefix = "model.layers.";
  int64_t first_layer = -1;
  const TensorInfo* first = nullptr;
  const std::string* first_file = nullptr;
  for (const auto& f : weights.files())
    for (const auto& t : f->tensors()) {
      if (t.name.compare(0, prefix.size(), prefix) != 0) continue;
      size_t digits = prefix.size();
      while (digits < t.name.size() && std::isdigit(static_cast<unsigned char>(t.name[digits]))) ++digits;
      if (digits == prefix.size()) continue;
      const int64_t layer = digits - prefix.size() > 18 ? INT64_MAX : std::stoll(t.name.substr(prefix.size(), digits - prefix.size()));
      if (layer < c.num_layers) continue;
      if (!first || layer < first_layer || (layer == first_layer && t.name < first->name)) {
        first_layer = layer;
        first = &t;
        first_file = &f->path();
      }
    }
  if (first)
    throw InputError(*first_file + ": tensor '" + first->name + "' belongs to layer " + std::to_string(first_layer) +
                         ", but config.json has num_hidden_layers " + std::to_string(c.num_layers) +
                         " (the weights hold more layers than the config)", 336);
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Model Model::open(const std::string& model_dir) {
  Model m;
  m.directory_ = model_dir;
  m.config_ = load_model_config(model_dir);
  m.weights_ = std::make_unique<WeightStore>(model_dir);
  for (const auto& [name, shape] : required_tensors(m.config_)) {
    if (!m.weights_->contains(name))
      throw InputError(model_dir + ": tensor '" + name + "' required by " + m.config_.architecture +
                           " is missing from the safetensors files", 334);
    const TensorInfo& info = m.weights_->info(name);
    if (info.shape != shape)
      throw InputError(m.weights_->source_of(name) + ": tensor '" + name + "' has shape " + shape_text(info.shape) +
                           ", expected " + shape_text(shape) + " from config.json", 335);
    if (!is_weight_dtype(info.dtype))
      throw UnsupportedError(m.weights_->source_of(name) + ": tensor '" + name + "': dtype " + info.dtype +
                                 " is not supported (supported: " + kWeightDtypes + ")", 201);
  }
  refuse_extra_layers(*m.weights_, m.config_);
  Fnv1a64 h;
  h.update(read_file((fs::path(model_dir) / "config.json").string()));
  for (const auto& f : m.weights_->files()) h.update(f->header_json());
  m.hash_ = h.hex();
  return m;
}

std::map<std::string, int> Model::weight_dtypes() const {
  std::map<std::string, int> counts;
  for (const auto& f : weights_->files())
    for (const auto& t : f->tensors()) counts[t.dtype]++;
  return counts;
}

namespace {

at::Tensor load_copy(const WeightStore& store, const std::string& name, c10::ScalarType dtype, c10::Device device) {
  at::Tensor t = store.view(name).to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
  store.release(name);
  return t;
}

}  // namespace

LayerWeights Model::layer(int l, c10::ScalarType dtype, c10::Device device) const {
  KVT_ASSERT(l >= 0 && l < config_.num_layers, "layer index out of range");
  const std::string p = layer_prefix(l);
  LayerWeights w;
  for (const LayerTensor& t : layer_tensors(config_)) w.*t.member = load_copy(*weights_, p + t.suffix, dtype, device);
  return w;
}

at::Tensor Model::embed(const at::Tensor& ids, c10::ScalarType dtype, c10::Device device) const {
  // Only the touched rows are read from the mapped file.
  at::Tensor table = weights_->view("model.embed_tokens.weight");
  at::Tensor cpu_ids = ids.to(at::kCPU, at::kLong);
  return table.index_select(0, cpu_ids).to(device, dtype, false, true);
}

at::Tensor Model::final_norm(c10::ScalarType dtype, c10::Device device) const {
  return load_copy(*weights_, "model.norm.weight", dtype, device);
}

at::Tensor Model::lm_head(c10::ScalarType dtype, c10::Device device) const {
  return load_copy(*weights_, config_.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight", dtype,
                   device);
}

c10::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32" || name == "f32") return at::kFloat;
  if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "f16") return at::kHalf;
  throw InputError("--dtype: '" + name + "' is not one of float32, bfloat16, float16", 340);
}

c10::Device parse_device(const std::string& name) {
  c10::Device device(c10::DeviceType::CPU);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    throw InputError("--device: '" + name + "' is not a device (cpu, cuda, cuda:N)", 341);
  }
  if (device.is_cuda() && !at::hasCUDA())
    throw InputError("--device: '" + name + "' requested but this LibTorch build has no CUDA device available", 342);
  if (!device.is_cpu() && !device.is_cuda())
    throw InputError("--device: '" + name + "' is not supported (cpu, cuda, cuda:N)", 341);
  return device;
}

}  // namespace kvt::model
