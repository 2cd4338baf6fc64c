// Named quantization schemes (docs/method.md §2) and the custom one. One table in scheme_registry.cpp:
// adding a scheme is one line there.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/quant/quant_spec.h"

namespace kvt::quant {

// Registered names in table order: "per-token-asym", "kivi".
std::vector<std::string> scheme_names();

// The scheme `profile`, `run` and `evaluate` use when neither an option nor a config's metadata names one.
inline constexpr const char* kDefaultSchemeName = "kivi";

// @throws UnsupportedError listing the registered names when `name` is unknown.
QuantScheme lookup_scheme(const std::string& name);

// A scheme named "custom" with the given key and value specs (not validated here; see QuantScheme::validate).
QuantScheme custom_scheme(const TensorQuantSpec& key, const TensorQuantSpec& value);

// Rebuilds a scheme from its name and recorded params ({"key": {...}, "value": {...}}, see scheme_params_json).
// A registered name must carry its registered params. @throws InputError naming `source`.
QuantScheme scheme_from_params(const std::string& name, const nlohmann::json& params, const std::string& source);

}  // namespace kvt::quant
