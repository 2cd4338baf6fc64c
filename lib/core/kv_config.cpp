// KvConfig reading (official KVTuner YAML, per-head YAML, kvtuner JSON), validation and writing.
// Official KVTuner YAML (docs/method.md §16): top-level integer layer keys → {nbits_key, nbits_value}, or
// layer → kv_head → {nbits_key, nbits_value}. YAML is read as the official loader, yaml.safe_load, reads it
// (one document, YAML 1.1 integers, flow style, '<<' merges; lib/core/yaml11.h). yaml-cpp keeps duplicate
// map keys as separate entries, so duplicates are found by walking every entry rather than by lookup.
#include "lib/core/kv_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <optional>
#include <sstream>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"
#include "lib/core/yaml11.h"

namespace kvt {

namespace {

constexpr const char* kMetadataPrefix = "# kvtuner:";

// "\r\n" → "\n" and a leading UTF-8 byte-order mark dropped: the official presets use CRLF.
std::string normalize_line_endings(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

// The YAML side of one config file: the document text (positions of yaml-cpp marks refer to it) and the
// source name for messages. Scalars and mappings are read as yaml.safe_load reads them (lib/core/yaml11.h).
struct YamlDoc {
  const std::string& text;
  const std::string& source;
};

// An integer as yaml.safe_load constructs it (YAML 1.1: 0x1, 07, 0b1, 1_0, +3 are ints; "4", 0o7, 4.0 are not).
bool yaml_int(const YamlDoc& doc, const YAML::Node& node, int64_t& value) {
  yaml11::Scalar s = yaml11::resolve_scalar(node, doc.text);
  if (s.type != yaml11::ScalarType::kInt) return false;
  value = s.int_value;
  return true;
}

int read_bits_field(const YamlDoc& doc, const std::string& where, const std::string& field, const YAML::Node& value) {
  int64_t bits = 0;
  if (!yaml_int(doc, value, bits))
    throw InputError(
        where + ": " + field + " is " + yaml11::describe(value, doc.text) + ", expected an integer number of bits",
        803);
  if (bits > 16 || !is_supported_bits(int(bits)))
    throw InputError(where + ": " + field + " = " + std::to_string(bits) + " is not in 1..8 or 16", 804);
  return int(bits);
}

// {nbits_key: int, nbits_value: int}, nothing else. A field repeated explicitly is refused; one merged from
// a `<<` key is replaced by an explicit one, as in yaml.safe_load.
PrecisionPair read_pair(const YamlDoc& doc, const std::string& where, const YAML::Node& node) {
  if (!yaml11::is_dict(node))
    throw InputError(
        where + ": expected a mapping with nbits_key and nbits_value, found " + yaml11::describe(node, doc.text), 805);
  // std::optional, not YAML::Node slots: assigning to a YAML::Node writes through to the node it refers to.
  std::optional<yaml11::Entry> key_bits, value_bits;
  for (const auto& entry : yaml11::dict_entries(node, doc.text, where)) {
    bool is_string =
        entry.key.IsScalar() && yaml11::resolve_scalar(entry.key, doc.text).type == yaml11::ScalarType::kString;
    std::string name = is_string ? entry.key.Scalar() : yaml11::describe(entry.key, doc.text);
    auto* slot = !is_string ? nullptr : name == "nbits_key" ? &key_bits : name == "nbits_value" ? &value_bits : nullptr;
    if (!slot) throw InputError(where + ": unknown field '" + name + "' (expected nbits_key and nbits_value)", 806);
    if (slot->has_value() && !(*slot)->merged) throw InputError(where + ": field '" + name + "' appears twice", 807);
    slot->emplace(entry);
  }
  if (!key_bits) throw InputError(where + ": missing field nbits_key", 808);
  if (!value_bits) throw InputError(where + ": missing field nbits_value", 808);
  return {read_bits_field(doc, where, "nbits_key", key_bits->value),
          read_bits_field(doc, where, "nbits_value", value_bits->value)};
}

// A quoted "0": digits that yaml.safe_load hands over as a string.
bool is_quoted_number(const YamlDoc& doc, const YAML::Node& key) {
  if (!key.IsScalar() || key.Scalar().empty() ||
      yaml11::resolve_scalar(key, doc.text).type != yaml11::ScalarType::kString)
    return false;
  const std::string& s = key.Scalar();
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
constexpr const char* quoted_number_hint =
    " (quoted, it is a string to yaml.safe_load and the official cache never finds it; remove the quotes)";

// Entries of an integer-keyed mapping, indexed 0..n-1; `what` is "layer" or "kv_head".
std::vector<YAML::Node> read_indexed_map(const YamlDoc& doc, const std::string& where, const std::string& what,
                                         const YAML::Node& node) {
  std::map<int64_t, yaml11::Entry> by_index;
  for (const auto& entry : yaml11::dict_entries(node, doc.text, where)) {
    int64_t index = 0;
    if (!yaml_int(doc, entry.key, index))
      throw InputError(where + ": key " + yaml11::describe(entry.key, doc.text) + " is not an integer " + what +
                           " index" + (is_quoted_number(doc, entry.key) ? quoted_number_hint : ""),
                       809);
    if (index < 0) throw InputError(where + ": " + what + " " + std::to_string(index) + " is negative", 809);
    auto [it, inserted] = by_index.emplace(index, entry);
    if (!inserted && !it->second.merged)
      throw InputError(where + ": " + what + " " + std::to_string(index) + " appears more than once", 810);
    if (!inserted) it->second = entry;
  }
  std::vector<YAML::Node> ordered;
  for (const auto& [index, entry] : by_index) {
    if (index != static_cast<int64_t>(ordered.size()))
      throw InputError(where + ": " + what + " " + std::to_string(ordered.size()) + " is missing (" + what +
                           "s must be numbered 0.." + std::to_string(by_index.size() - 1) + " without gaps)",
                       811);
    ordered.push_back(entry.value);
  }
  return ordered;
}

// Per-head layout: the layer's mapping is keyed by integers (kv_head indices), not by field names.
bool is_per_head_layer(const YamlDoc& doc, const YAML::Node& node) {
  if (!yaml11::is_dict(node)) return false;
  auto entries = yaml11::dict_entries(node, doc.text, doc.source);
  int64_t index = 0;
  return !entries.empty() && yaml_int(doc, entries.front().key, index);
}

void check_layer_count(const std::string& source, size_t layers, int expected_layers) {
  if (layers == 0) throw InputError(source + ": the config has no layers", 801);
  if (expected_layers > 0 && static_cast<int>(layers) != expected_layers)
    throw InputError(source + ": the config has " + std::to_string(layers) + " layers but the model has " +
                         std::to_string(expected_layers),
                     812);
}

// `# kvtuner: {json}` lines, each one JSON object; their keys are merged into one metadata object.
nlohmann::json read_metadata_lines(const std::string& text, const std::string& source) {
  nlohmann::json metadata = nlohmann::json::object();
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  const std::string prefix = kMetadataPrefix;
  while (std::getline(lines, line)) {
    ++line_number;
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, prefix.size(), prefix) != 0) continue;
    std::string where = source + ":" + std::to_string(line_number);
    const nlohmann::json piece =
        parse_json(line.substr(first + prefix.size()), where + ": '# kvtuner:' metadata line", 813);
    if (!piece.is_object()) throw InputError(where + ": '# kvtuner:' metadata line must hold a JSON object", 813);
    for (auto it = piece.begin(); it != piece.end(); ++it) {
      if (metadata.contains(it.key()))
        throw InputError(where + ": metadata key '" + it.key() + "' is given twice", 813);
      metadata[it.key()] = it.value();
    }
  }
  return metadata;
}

// The metadata fields kvtuner itself reads back (show, export, evaluate): each of the right type when present.
// Other keys (selection, provenance, anything a user adds) are kept as they are.
void validate_metadata(const nlohmann::json& metadata, const std::string& source) {
  for (const char* key : {"scheme", "model_name", "model_hash", "calib_hash", "prefill_mode"})
    if (metadata.contains(key) && !metadata[key].is_string())
      throw InputError(source + ": metadata '" + key + "' must be a string, got " + metadata[key].dump(), 813);
  if (metadata.contains("scheme_params") && !metadata["scheme_params"].is_object())
    throw InputError(source + ": metadata 'scheme_params' must be an object, got " + metadata["scheme_params"].dump(),
                     813);
  int64_t head_dim = 0;
  if (metadata.contains("head_dim") && !json_integer_in(metadata["head_dim"], 1, INT32_MAX, head_dim))
    throw InputError(source + ": metadata 'head_dim' must be a positive integer, got " + metadata["head_dim"].dump(),
                     813);
}

// ---- JSON form ----

int json_bits(const std::string& where, const nlohmann::json& object, const char* field) {
  if (!object.contains(field)) throw InputError(where + ": missing field " + field, 808);
  const auto& value = object.at(field);
  if (!value.is_number_integer())
    throw InputError(where + ": " + field + " is " + value.dump() + ", expected an integer number of bits", 803);
  int64_t bits = 0;  // checked in 64 bits: 2^32 + 4 is not 4
  if (!json_integer_in(value, 1, 16, bits) || !is_supported_bits(int(bits)))
    throw InputError(where + ": " + field + " = " + value.dump() + " is not in 1..8 or 16", 804);
  return int(bits);
}

// [{"<index_field>": i, ...}, ...] ordered by index, each index 0..n-1 exactly once.
std::vector<nlohmann::json> json_indexed_list(const std::string& where, const nlohmann::json& list,
                                              const char* index_field) {
  if (!list.is_array()) throw InputError(where + ": expected a JSON array", 814);
  std::map<int64_t, nlohmann::json> by_index;
  for (const auto& item : list) {
    if (!item.is_object()) throw InputError(where + ": every entry must be a JSON object", 814);
    if (!item.contains(index_field) || !item.at(index_field).is_number_integer())
      throw InputError(where + ": an entry has no integer '" + std::string(index_field) + "' field", 809);
    int64_t index = 0;  // in 64 bits: 2^32 is not layer 0
    if (!json_integer_in(item.at(index_field), INT64_MIN, INT64_MAX, index))
      throw InputError(where + ": " + index_field + " " + item.at(index_field).dump() + " is out of range", 809);
    if (index < 0) throw InputError(where + ": " + index_field + " " + std::to_string(index) + " is negative", 809);
    if (!by_index.emplace(index, item).second)
      throw InputError(where + ": " + index_field + " " + std::to_string(index) + " appears more than once", 810);
  }
  std::vector<nlohmann::json> ordered;
  for (const auto& [index, item] : by_index) {
    if (index != static_cast<int64_t>(ordered.size()))
      throw InputError(where + ": " + index_field + " " + std::to_string(ordered.size()) + " is missing (" +
                           index_field + " must run 0.." + std::to_string(by_index.size() - 1) + " without gaps)",
                       811);
    ordered.push_back(item);
  }
  return ordered;
}

KvConfig parse_kv_config_json(const std::string& text, const std::string& source, int expected_layers) {
  const nlohmann::json root = parse_json(text, source, 802);
  if (!root.is_object()) throw InputError(source + ": expected a JSON object with \"layers\" or \"heads\"", 802);
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string& key = it.key();
    if (key == "layers" || key == "heads" || key == "metadata" || key == "nominal_bits" || key == "format") continue;
    bool digits = !key.empty() && std::all_of(key.begin(), key.end(),
                                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (digits)
      throw InputError(source + ": key \"" + key +
                           "\" is a string, not an integer layer index (JSON keys are strings; "
                           "yaml.safe_load hands the official cache \"" +
                           key + "\", never layer " + key + "): write the preset as YAML, e.g. {" + key +
                           ": {nbits_key: 4, nbits_value: 2}}",
                       809);
    throw InputError(source + ": unknown top-level field '" + key + "'", 806);
  }
  if (root.contains("format") && root["format"] != "kvtuner-config-v1")
    throw InputError(source + ": format " + root["format"].dump() + " is not kvtuner-config-v1", 802);
  if (root.contains("layers") == root.contains("heads"))
    throw InputError(source + ": exactly one of \"layers\" (per-layer) or \"heads\" (per-head) is required", 802);

  KvConfig config;
  if (root.contains("metadata")) {
    if (!root["metadata"].is_object()) throw InputError(source + ": \"metadata\" must be a JSON object", 813);
    config.metadata = root["metadata"];
    validate_metadata(config.metadata, source);
  }
  auto pair_of = [](const std::string& where, const nlohmann::json& item) {
    return PrecisionPair{json_bits(where, item, "nbits_key"), json_bits(where, item, "nbits_value")};
  };
  if (root.contains("layers")) {
    auto layers = json_indexed_list(source + ": layers", root["layers"], "layer");
    for (size_t l = 0; l < layers.size(); ++l)
      config.layers.push_back(pair_of(source + ": layer " + std::to_string(l), layers[l]));
  } else {
    auto layers = json_indexed_list(source + ": heads", root["heads"], "layer");
    for (size_t l = 0; l < layers.size(); ++l) {
      std::string where = source + ": layer " + std::to_string(l);
      if (!layers[l].contains("kv_heads")) throw InputError(where + ": missing field kv_heads", 808);
      auto heads = json_indexed_list(where + ": kv_heads", layers[l]["kv_heads"], "kv_head");
      std::vector<PrecisionPair> pairs;
      for (size_t h = 0; h < heads.size(); ++h)
        pairs.push_back(pair_of(where + " kv_head " + std::to_string(h), heads[h]));
      config.heads.push_back(std::move(pairs));
    }
  }
  check_layer_count(source, config.num_layers(), expected_layers);
  for (size_t l = 1; l < config.heads.size(); ++l)
    if (config.heads[l].size() != config.heads[0].size())
      throw InputError(source + ": layer " + std::to_string(l) + " has " + std::to_string(config.heads[l].size()) +
                           " kv_heads but layer 0 has " + std::to_string(config.heads[0].size()),
                       815);
  return config;
}

// kvtuner's own JSON form (to_json). Flow-style YAML starts with '{' too ({0: {nbits_key: 4, …}}) but is
// not JSON: its keys are not quoted.
bool parses_as_json(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '{' && nlohmann::json::accept(text);
}

}  // namespace

double KvConfig::nominal_bits() const {
  double sum = 0;
  size_t count = 0;
  if (per_head()) {
    for (const auto& layer : heads)
      for (const auto& pair : layer) sum += pair.mean_bits(), ++count;
  } else {
    for (const auto& pair : layers) sum += pair.mean_bits(), ++count;
  }
  return count ? sum / static_cast<double>(count) : 0.0;
}

KvConfig parse_kv_config_yaml(const std::string& raw_text, const std::string& source, int expected_layers) {
  std::string text = normalize_line_endings(raw_text);
  if (parses_as_json(text)) return parse_kv_config_json(text, source, expected_layers);

  // As the official FlexibleQuantizedCache reads it: yaml.safe_load of the whole file, one document.
  const YamlDoc doc{text, source};
  size_t first = text.find_first_not_of(" \t\n");
  bool brace = first != std::string::npos && text[first] == '{';  // broken JSON, or flow-style YAML
  YAML::Node root = yaml11::load_single_document(text, source, brace ? "JSON or flow-style YAML" : "YAML");
  if (!root.IsDefined() || root.IsNull()) throw InputError(source + ": the config has no layers", 801);
  if (!yaml11::is_dict(root))
    throw InputError(source + ": expected a mapping of layer index → {nbits_key, nbits_value}, found " +
                         yaml11::describe(root, text),
                     802);

  KvConfig config;
  config.metadata = read_metadata_lines(text, source);
  validate_metadata(config.metadata, source);
  auto layer_nodes = read_indexed_map(doc, source, "layer", root);
  check_layer_count(source, layer_nodes.size(), expected_layers);
  // The first layer decides the layout; every other layer must follow it.
  bool per_head = is_per_head_layer(doc, layer_nodes[0]);
  for (size_t l = 0; l < layer_nodes.size(); ++l) {
    std::string where = source + ": layer " + std::to_string(l);
    if (!per_head) {
      if (is_per_head_layer(doc, layer_nodes[l]))
        throw InputError(where + ": uses the per-head layout (kv_head → bits) but layer 0 is per-layer", 815);
      config.layers.push_back(read_pair(doc, where, layer_nodes[l]));
      continue;
    }
    if (!is_per_head_layer(doc, layer_nodes[l]))
      throw InputError(where + ": expected kv_head → {nbits_key, nbits_value} like layer 0 (per-head layout)", 815);
    auto head_nodes = read_indexed_map(doc, where, "kv_head", layer_nodes[l]);
    if (l > 0 && head_nodes.size() != config.heads[0].size())
      throw InputError(where + ": has " + std::to_string(head_nodes.size()) + " kv_heads but layer 0 has " +
                           std::to_string(config.heads[0].size()),
                       815);
    std::vector<PrecisionPair> pairs;
    for (size_t h = 0; h < head_nodes.size(); ++h)
      pairs.push_back(read_pair(doc, where + " kv_head " + std::to_string(h), head_nodes[h]));
    config.heads.push_back(std::move(pairs));
  }
  return config;
}

KvConfig read_kv_config(const std::string& path, int expected_layers) {
  return parse_kv_config_yaml(read_file(path), path, expected_layers);
}

std::string to_kvtuner_yaml(const KvConfig& config, bool with_metadata) {
  std::ostringstream out;
  if (with_metadata)
    for (auto it = config.metadata.begin(); it != config.metadata.end(); ++it)
      out << kMetadataPrefix << ' ' << nlohmann::json{{it.key(), it.value()}}.dump() << '\n';
  auto write_pair = [&out](const PrecisionPair& pair, const char* indent) {
    out << indent << "nbits_key: " << pair.key_bits << '\n' << indent << "nbits_value: " << pair.value_bits << '\n';
  };
  if (config.per_head()) {
    for (size_t l = 0; l < config.heads.size(); ++l) {
      out << l << ":\n";
      for (size_t h = 0; h < config.heads[l].size(); ++h) {
        out << "  " << h << ":\n";
        write_pair(config.heads[l][h], "    ");
      }
    }
  } else {
    for (size_t l = 0; l < config.layers.size(); ++l) {
      out << l << ":\n";
      write_pair(config.layers[l], "  ");
    }
  }
  return out.str();
}

nlohmann::json to_json(const KvConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  j["format"] = "kvtuner-config-v1";
  if (config.per_head()) {
    j["heads"] = nlohmann::json::array();
    for (size_t l = 0; l < config.heads.size(); ++l) {
      nlohmann::json heads = nlohmann::json::array();
      for (size_t h = 0; h < config.heads[l].size(); ++h)
        heads.push_back({{"kv_head", h},
                         {"nbits_key", config.heads[l][h].key_bits},
                         {"nbits_value", config.heads[l][h].value_bits}});
      j["heads"].push_back({{"layer", l}, {"kv_heads", heads}});
    }
  } else {
    j["layers"] = nlohmann::json::array();
    for (size_t l = 0; l < config.layers.size(); ++l)
      j["layers"].push_back(
          {{"layer", l}, {"nbits_key", config.layers[l].key_bits}, {"nbits_value", config.layers[l].value_bits}});
  }
  j["nominal_bits"] = config.nominal_bits();
  j["metadata"] = config.metadata;
  return j;
}

}  // namespace kvt
