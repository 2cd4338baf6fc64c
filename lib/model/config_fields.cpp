#include "lib/model/config_fields.h"

#include <cstdint>

#include "lib/core/error.h"

namespace kvt::model {

namespace {

[[noreturn]] void mistyped(const std::string& source, const char* field, const char* what, const nlohmann::json& v) {
  throw InputError(source + ": field '" + field + "' must be " + what + ", got " + v.dump(), 321);
}

int checked_int(const nlohmann::json& j, const std::string& source, const char* field, int64_t min, const char* what) {
  const auto& v = j[field];
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() >= (int64_t(1) << 31))
    mistyped(source, field, what, v);
  return v.get<int>();
}

}  // namespace

bool has_value(const nlohmann::json& j, const char* field) { return j.contains(field) && !j[field].is_null(); }

int required_positive_int(const nlohmann::json& j, const std::string& source, const char* field) {
  if (!j.contains(field)) throw InputError(source + ": missing field '" + field + "'", 320);
  return checked_int(j, source, field, 1, "a positive integer");
}

int positive_int_or(const nlohmann::json& j, const std::string& source, const char* field, int fallback) {
  return j.contains(field) ? checked_int(j, source, field, 1, "a positive integer") : fallback;
}

int non_negative_int_or(const nlohmann::json& j, const std::string& source, const char* field, int fallback) {
  return j.contains(field) ? checked_int(j, source, field, 0, "a non-negative integer") : fallback;
}

double positive_number_or(const nlohmann::json& j, const std::string& source, const char* field, double fallback) {
  if (!j.contains(field)) return fallback;
  const auto& v = j[field];
  if (!v.is_number() || !(v.get<double>() > 0)) mistyped(source, field, "a positive number", v);
  return v.get<double>();
}

std::optional<double> optional_positive_number(const nlohmann::json& j, const std::string& source, const char* field) {
  if (!j.contains(field)) return std::nullopt;
  return positive_number_or(j, source, field, 0);
}

bool bool_or(const nlohmann::json& j, const std::string& source, const char* field, bool fallback) {
  if (!has_value(j, field)) return fallback;
  if (!j[field].is_boolean()) mistyped(source, field, "true or false", j[field]);
  return j[field].get<bool>();
}

std::vector<bool> read_layer_types(const nlohmann::json& j, const std::string& source, int num_layers) {
  std::vector<bool> sliding;
  if (!has_value(j, "layer_types")) return sliding;
  const auto& types = j["layer_types"];
  if (!types.is_array() || types.size() != size_t(num_layers))
    throw InputError(source + ": field 'layer_types' must list one type per layer (num_hidden_layers " +
                         std::to_string(num_layers) + "), got " +
                         (types.is_array() ? std::to_string(types.size()) + " entries" : types.dump()),
                     321);
  for (size_t l = 0; l < types.size(); ++l) {
    const auto& t = types[l];
    if (!t.is_string()) throw InputError(source + ": layer_types[" + std::to_string(l) + "] is not a string", 321);
    const std::string name = t.get<std::string>();
    if (name == "full_attention" || name == "attention") {
      sliding.push_back(false);
    } else if (name == "sliding_attention") {
      sliding.push_back(true);
    } else {
      throw UnsupportedError(source + ": layer_types[" + std::to_string(l) + "] '" + name +
                                 "' is not supported (supported: full_attention, sliding_attention)",
                             214);
    }
  }
  return sliding;
}

void check_uniform_layer_types(const nlohmann::json& j, const std::string& source, int num_layers, int window) {
  const std::vector<bool> sliding = read_layer_types(j, source, num_layers);
  for (size_t l = 0; l < sliding.size(); ++l)
    if (sliding[l] != (window > 0))
      throw UnsupportedError(
          source + ": layer_types[" + std::to_string(l) + "] is '" + j["layer_types"][l].get<std::string>() +
              "', but " + j["architectures"][0].get<std::string>() + " ignores layer_types and runs every layer with " +
              (window > 0 ? "sliding window " + std::to_string(window) : std::string("full attention")) +
              " (per-layer windows are not supported)",
          214);
}

}  // namespace kvt::model
