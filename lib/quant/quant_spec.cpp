#include "lib/quant/quant_spec.h"

#include <climits>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"

namespace kvt::quant {

std::string axis_name(QuantAxis axis) { return axis == QuantAxis::PerToken ? "per-token" : "per-channel"; }

QuantAxis parse_axis(const std::string& name) {
  if (name == "per-token") return QuantAxis::PerToken;
  if (name == "per-channel") return QuantAxis::PerChannel;
  throw InputError("quantization axis '" + name + "': expected per-token or per-channel", 401);
}

int TensorQuantSpec::effective_group_size(int head_dim) const {
  if (axis == QuantAxis::PerToken) return group_size > 0 ? group_size : head_dim;
  return group_size;
}

int TensorQuantSpec::flush_block_tokens() const {
  if (residual > 0) return residual;
  return axis == QuantAxis::PerChannel ? group_size : 1;
}

void TensorQuantSpec::validate(int head_dim, const std::string& what) const {
  auto fail = [&](const std::string& msg) { throw InputError(what + ": " + msg, 402); };
  if (head_dim <= 0) fail("head_dim must be positive, got " + std::to_string(head_dim));
  if (group_size < 0) fail("group_size must be >= 0, got " + std::to_string(group_size));
  if (residual < 0) fail("residual must be >= 0, got " + std::to_string(residual));
  if (axis == QuantAxis::PerToken) {
    int g = effective_group_size(head_dim);
    if (head_dim % g != 0)
      fail("per-token group_size " + std::to_string(g) + " does not divide head_dim " + std::to_string(head_dim));
  } else {
    if (group_size <= 0) fail("per-channel quantization needs group_size > 0 (tokens per group)");
    // A flush must consist of whole token groups, so that every group is quantized exactly once.
    if (residual > 0 && residual % group_size != 0)
      fail("per-channel residual " + std::to_string(residual) + " is not a multiple of group_size " +
           std::to_string(group_size));
  }
}

void QuantScheme::validate(int head_dim) const {
  key.validate(head_dim, "scheme '" + name + "' key");
  value.validate(head_dim, "scheme '" + name + "' value");
}

nlohmann::json to_json(const TensorQuantSpec& spec) {
  return {{"axis", axis_name(spec.axis)},
          {"group_size", spec.group_size},
          {"residual", spec.residual},
          {"symmetric", spec.symmetric}};
}

TensorQuantSpec tensor_spec_from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw InputError(source + ": expected an object with axis, group_size, residual, symmetric", 403);
  TensorQuantSpec spec;
  try {
    std::string axis = j.at("axis").get<std::string>();
    if (axis != "per-token" && axis != "per-channel")
      throw InputError(source + ": axis '" + axis + "': expected per-token or per-channel", 403);
    spec.axis = parse_axis(axis);
    // Checked in 64 bits before narrowing: a group_size of 2^32 + 32 is not 32.
    for (const char* field : {"group_size", "residual"}) {
      int64_t v = 0;
      if (j.contains(field) && !json_integer_in(j.at(field), INT32_MIN, INT32_MAX, v))
        throw InputError(
            source + ": " + field + " is " + j.at(field).dump() + ", expected an integer that fits 32 bits", 403);
    }
    spec.group_size = j.value("group_size", 0);
    spec.residual = j.value("residual", 0);
    spec.symmetric = j.value("symmetric", false);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": " + e.what(), 403);
  }
  return spec;
}

nlohmann::json scheme_params_json(const QuantScheme& scheme) {
  return {{"key", to_json(scheme.key)}, {"value", to_json(scheme.value)}};
}

void check_quant_bits(int bits, bool symmetric) {
  if (bits == 16) return;
  if (bits < 1 || bits > 8)
    throw UnsupportedError(
        "quantization to " + std::to_string(bits) + " bits: supported are 1..8 and 16 (no quantization)", 401);
  if (symmetric && bits < 2)
    throw UnsupportedError("symmetric quantization needs at least 2 bits (1 bit leaves q_max = 0), got 1", 402);
}

int64_t quantized_token_count(const TensorQuantSpec& spec, int64_t tokens) {
  const int64_t block = spec.flush_block_tokens();
  return tokens / block * block;
}

}  // namespace kvt::quant
