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

std::string shape_text(const std::vector<int64_t>& s);

// Checks every tensor the decoder needs (presence, shape, dtype), one at a time and without listing them first:
// config.json's num_hidden_layers is not trusted before the weights confirm it (1e9 layers must not allocate
// 1e9 names). The first tensor missing from the files stops the check.
void check_required_tensors(const WeightStore& weights, const ModelConfig& c, const std::string& model_dir) {
  size_t tensors_in_files = 0;
  for (const auto& f : weights.files()) tensors_in_files += f->tensors().size();
  const std::vector<LayerTensor> per_layer = layer_tensors(c);
  auto check = [&](const std::string& name, const std::vector<int64_t>& shape) {
    if (!weights.contains(name)) {
      const uint64_t needed = uint64_t(c.num_layers) * per_layer.size() + (c.tie_word_embeddings ? 2 : 3);
      const std::string counts = needed > tensors_in_files
                                     ? " (config.json's num_hidden_layers " + std::to_string(c.num_layers) + " needs " +
                                           std::to_string(needed) + " tensors; the files hold " +
                                           std::to_string(tensors_in_files) + ")"
                                     : "";
      throw InputError(model_dir + ": tensor '" + name + "' required by " + c.architecture +
                           " is missing from the safetensors files" + counts,
                       334);
    }
    const TensorInfo& info = weights.info(name);
    if (info.shape != shape)
      throw InputError(weights.source_of(name) + ": tensor '" + name + "' has shape " + shape_text(info.shape) +
                           ", expected " + shape_text(shape) + " from config.json",
                       335);
    if (!is_weight_dtype(info.dtype))
      throw UnsupportedError(weights.source_of(name) + ": tensor '" + name + "': dtype " + info.dtype +
                                 " is not supported (supported: " + kWeightDtypes + ")",
                             201);
  };
  const int64_t h = c.hidden_size, v = c.vocab_size;
  check("model.embed_tokens.weight", {v, h});
  check("model.norm.weight", {h});
  if (!c.tie_word_embeddings) check("lm_head.weight", {v, h});
  for (int l = 0; l < c.num_layers; ++l)
    for (const LayerTensor& t : per_layer) check(layer_prefix(l) + t.suffix, t.shape);
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
      const int64_t layer =
          digits - prefix.size() > 18 ? INT64_MAX : std::stoll(t.name.substr(prefix.size(), digits - prefix.size()));
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
                         " (the weights hold more layers than the config)",
                     336);
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
  check_required_tensors(*m.weights_, m.config_, model_dir);
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

// A weight holding NaN or ±inf makes every output NaN (perplexity "-nan", exit 0): refused naming the tensor.
// One isfinite().all() pass over the stored values (in their own dtype) each time the tensor is loaded.
void require_finite(const at::Tensor& stored, const WeightStore& store, const std::string& name,
                    const std::string& rows = "") {
  if (at::isfinite(stored).all().item<bool>()) return;
  const int64_t bad = stored.numel() - at::isfinite(stored).sum().item<int64_t>();
  throw InputError(store.source_of(name) + ": tensor '" + name + "'" + rows + " holds " + std::to_string(bad) +
                       " NaN or infinite value" + (bad == 1 ? "" : "s") + "; the weights are corrupt",
                   337);
}

at::Tensor load_copy(const WeightStore& store, const std::string& name, c10::ScalarType dtype, c10::Device device) {
  at::Tensor stored = store.view(name);
  require_finite(stored, store, name);
  at::Tensor t = stored.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
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
  at::Tensor rows = table.index_select(0, cpu_ids);
  require_finite(rows, *weights_, "model.embed_tokens.weight", " (rows of the prompt's token ids)");
  return rows.to(device, dtype, false, true);
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
