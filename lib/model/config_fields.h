// Typed reads of config.json fields, shared by model_config.cpp and archs/<name>.cpp.
// "Absent" means the key is missing: the caller passes the transformers config class's default.
// A null value is not absent: transformers stores None, which means something else per field, so each
// reader either says what null means or refuses it. Every error names `source` and the field (input.321).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kvt::model {

// True when the key exists and is not null.
bool has_value(const nlohmann::json& j, const char* field);
// A required positive integer (below 2^31). @throws InputError 320 when absent, 321 when not one.
int required_positive_int(const nlohmann::json& j, const std::string& source, const char* field);
// A positive integer, or `fallback` when the key is missing. null is refused.
int positive_int_or(const nlohmann::json& j, const std::string& source, const char* field, int fallback);
// A non-negative integer, or `fallback` when the key is missing. null is refused.
int non_negative_int_or(const nlohmann::json& j, const std::string& source, const char* field, int fallback);
// A positive number, or `fallback` when the key is missing. null is refused.
double positive_number_or(const nlohmann::json& j, const std::string& source, const char* field, double fallback);
// A positive number when the key is present, nothing when it is missing. null is refused.
std::optional<double> optional_positive_number(const nlohmann::json& j, const std::string& source, const char* field);
// true/false, or `fallback` when the key is missing or null (transformers treats None as false, and every
// boolean kvtuner reads defaults to false).
bool bool_or(const nlohmann::json& j, const std::string& source, const char* field, bool fallback);

// `layer_types` (a list of num_layers strings) as one flag per layer: true for "sliding_attention", false for
// "full_attention" (and "attention", which transformers 5 renames to it); empty when the key is missing or null.
// @throws InputError 321 for a wrong length or type, UnsupportedError 214 for any other layer type.
std::vector<bool> read_layer_types(const nlohmann::json& j, const std::string& source, int num_layers);

// LlamaForCausalLM and MistralForCausalLM ignore `layer_types` (transformers warns and runs every layer alike).
// A layer_types that asks for something else than the `window` every layer runs (0 = full attention), e.g.
// Ministral's alternating windows, is refused naming the field. @throws UnsupportedError 214.
void check_uniform_layer_types(const nlohmann::json& j, const std::string& source, int num_layers, int window);

}  // namespace kvt::model
