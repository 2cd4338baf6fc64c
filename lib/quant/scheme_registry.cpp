#include "lib/quant/scheme_registry.h"

#include "lib/core/error.h"

namespace kvt::quant {

namespace {

struct RegisteredScheme {
  const char* name;
  TensorQuantSpec key;
  TensorQuantSpec value;
};

// search_optuna_adaptive.py (docs/method.md §2): per-token-asym (axis 0/0, group = head_dim, residual 0) and KIVI
// (key per-channel, value per-token, q_group_size 32 for both, residual_length 32).
const RegisteredScheme kSchemes[] = {
    {"per-token-asym", {QuantAxis::PerToken, 0, 0, false}, {QuantAxis::PerToken, 0, 0, false}},
    {"kivi", {QuantAxis::PerChannel, 32, 32, false}, {QuantAxis::PerToken, 32, 32, false}},
};

}  // namespace

std::vector<std::string> scheme_names() {
  std::vector<std::string> names;
  for (const auto& s : kSchemes) names.emplace_back(s.name);
  return names;
}

QuantScheme lookup_scheme(const std::string& name) {
  std::string known;
  for (const auto& s : kSchemes) {
    if (name == s.name) return {s.name, s.key, s.value};
    known += (known.empty() ? "" : ", ") + std::string(s.name);
  }
  throw UnsupportedError("quantization scheme '" + name + "' is not known; available: " + known, 403);
}

QuantScheme custom_scheme(const TensorQuantSpec& key, const TensorQuantSpec& value) { return {"custom", key, value}; }

QuantScheme scheme_from_params(const std::string& name, const nlohmann::json& params, const std::string& source) {
  if (!params.is_object() || !params.contains("key") || !params.contains("value"))
    throw InputError(source + ": scheme_params needs \"key\" and \"value\" objects", 408);
  QuantScheme scheme{name, tensor_spec_from_json(params["key"], source + ": scheme_params.key"),
                     tensor_spec_from_json(params["value"], source + ": scheme_params.value")};
  if (name == "custom") return scheme;
  QuantScheme registered;
  try {
    registered = lookup_scheme(name);
  } catch (const UnsupportedError& e) {
    throw InputError(source + ": " + e.what(), 408);
  }
  if (registered.key != scheme.key || registered.value != scheme.value)
    throw InputError(source + ": scheme '" + name + "' is recorded with parameters that differ from its definition",
                     408);
  return registered;
}

}  // namespace kvt::quant
