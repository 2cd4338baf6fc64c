#include "search/export/model_shape.h"

#include "lib/core/error.h"
#include "lib/core/output.h"

namespace kvt::interop {

namespace {

// A positive integer field; `required` = false returns 0 when the field is absent or null.
int positive_field(const nlohmann::json& config, const char* field, const std::string& source, bool required) {
  auto it = config.find(field);
  if (it == config.end() || it->is_null()) {
    if (required) throw InputError(source + ": missing field " + field, 850);
    return 0;
  }
  if (!it->is_number_integer() || it->get<long long>() <= 0 || it->get<long long>() > 1000000)
    throw InputError(source + ": " + field + " is " + it->dump() + ", expected a positive integer", 851);
  return it->get<int>();
}

}  // namespace

ModelShape parse_model_shape(const nlohmann::json& config, const std::string& source) {
  if (!config.is_object()) throw InputError(source + ": expected a JSON object", 852);
  ModelShape shape;
  shape.num_layers = positive_field(config, "num_hidden_layers", source, true);
  int num_heads = positive_field(config, "num_attention_heads", source, true);
  shape.num_kv_heads = positive_field(config, "num_key_value_heads", source, false);
  if (shape.num_kv_heads == 0) shape.num_kv_heads = num_heads;
  shape.head_dim = positive_field(config, "head_dim", source, false);
  if (shape.head_dim == 0) {
    int hidden = positive_field(config, "hidden_size", source, true);
    if (hidden % num_heads != 0)
      throw InputError(source + ": hidden_size (" + std::to_string(hidden) + ") is not a multiple of " +
                           "num_attention_heads (" + std::to_string(num_heads) + ") and head_dim is absent",
                       851);
    shape.head_dim = hidden / num_heads;
  }
  return shape;
}

ModelShape read_model_shape(const std::string& model_dir) {
  std::string path = model_dir + "/config.json";
  std::string text = read_file(path);
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not valid JSON: " + e.what(), 852);
  }
  return parse_model_shape(config, path);
}

}  // namespace kvt::interop
