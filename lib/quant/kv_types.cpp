#include "lib/quant/kv_types.h"

#include <cmath>

#include "lib/core/error.h"

namespace kvt::quant {

// One line per type; each lives in a file of lib/quant/kv_types/.
KvType fp8_e4m3_kv_type();
KvType fp8_e5m2_kv_type();
KvType nvfp4_kv_type();
KvType lmdeploy_int8_kv_type();
KvType lmdeploy_int4_kv_type();
KvType ggml_q8_0_kv_type();
KvType ggml_q5_1_kv_type();
KvType ggml_q5_0_kv_type();
KvType ggml_q4_1_kv_type();
KvType ggml_q4_0_kv_type();
KvType ggml_iq4_nl_kv_type();

const std::vector<KvType>& kv_types() {
  static const std::vector<KvType> table = {
      fp8_e4m3_kv_type(),      fp8_e5m2_kv_type(),  nvfp4_kv_type(),       lmdeploy_int8_kv_type(),
      lmdeploy_int4_kv_type(), ggml_q8_0_kv_type(), ggml_q5_1_kv_type(),   ggml_q5_0_kv_type(),
      ggml_q4_1_kv_type(),     ggml_q4_0_kv_type(), ggml_iq4_nl_kv_type(),
  };
  return table;
}

std::vector<std::string> kv_type_names() {
  std::vector<std::string> names;
  for (const auto& t : kv_types()) names.push_back(t.name);
  return names;
}

const KvType& find_kv_type(const std::string& name, const std::string& option) {
  std::string names;
  for (const auto& t : kv_types()) {
    if (t.name == name) return t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  throw InputError(option + ": unknown KV-cache type '" + name + "' (expected one of " + names + ")", 430);
}

double KvType::bits_per_element(int head_dim) const {
  if (head_dim <= 0 || (block_size > 0 && head_dim % block_size != 0))
    throw InputError("head_dim " + std::to_string(head_dim) + " does not fit KV-cache type " + name +
                         (block_size > 0 ? " (blocks of " + std::to_string(block_size) + ")" : std::string()),
                     431);
  const int elements = granularity == KvGranularity::PerTokenHead ? head_dim : block_size;
  return code_bits + double(block_param_bits) / elements;
}

void fake_quantize_row(const KvType& type, const float* x, float* out, int64_t n, const KvTypeParams& params) {
  if (n <= 0 || (type.block_size > 0 && n % type.block_size != 0))
    throw InputError("KV-cache type " + type.name + ": a row of " + std::to_string(n) +
                         " elements is not a positive multiple of the block size " + std::to_string(type.block_size),
                     431);
  // Each type checks only the settings it reads: the per-tensor scale (fp8), the global scale (nvfp4).
  if (type.granularity == KvGranularity::PerTensor && !(std::isfinite(params.scale) && params.scale > 0.0f))
    throw InputError("KV-cache type " + type.name + ": scale must be finite and > 0", 432);
  if (type.global_scale_from_amax && params.global_scale &&
      !(std::isfinite(*params.global_scale) && *params.global_scale > 0.0f))
    throw InputError("KV-cache type " + type.name + ": global_scale must be finite and > 0", 432);
  type.qdq(x, out, n, params);
}

std::vector<float> fake_quantize_row(const KvType& type, const std::vector<float>& x, const KvTypeParams& params) {
  std::vector<float> out(x.size());
  fake_quantize_row(type, x.data(), out.data(), int64_t(x.size()), params);
  return out;
}

}  // namespace kvt::quant
