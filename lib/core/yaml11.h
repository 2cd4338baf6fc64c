// yaml-cpp nodes read the way PyYAML's yaml.safe_load reads them: the loader of the official KVTuner
// FlexibleQuantizedCache. yaml-cpp parses YAML 1.2 syntax but leaves scalars untyped; this file types them
// by PyYAML's YAML 1.1 implicit resolvers (yaml/resolver.py) and constructors (yaml/constructor.py,
// SafeConstructor): `0x1`, `07`, `0b1`, `1_0`, `+3` and `1:00` are ints, `0o7`, `08`, `1e3` and a quoted
// "0" are strings, `on`/`yes` are bools, `4.0` a float. Mappings expand `<<` merge keys as
// SafeConstructor.flatten_mapping does. tests/lib/core/presets/ pins the behaviour against PyYAML itself.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kvt::yaml11 {

// The only document of `text`; Null for an empty stream. yaml.safe_load refuses a stream with a second
// document (`---` after content, or content after `...`). @throws InputError (802) naming `source` and the line;
// a syntax error reads "not valid <expected>".
YAML::Node load_single_document(const std::string& text, const std::string& source,
                                const std::string& expected = "YAML");

enum class ScalarType { kNull, kBool, kInt, kFloat, kString, kMerge, kOther };

struct Scalar {
  ScalarType type = ScalarType::kOther;
  int64_t int_value = 0;  // kInt; saturated at ±2^62 when larger (`overflow`)
  bool overflow = false;
  std::string error;  // kOther: why yaml.safe_load refuses the scalar (e.g. `!!int four`, an unknown tag)
};

// How yaml.safe_load constructs a scalar node (a Null node is kNull). `document` is the text given to
// load_single_document: a non-specific `!` tag (`! 4`, which PyYAML resolves like a plain scalar) and a
// quoted '4' (a string) look the same in yaml-cpp and are told apart at the node's position.
Scalar resolve_scalar(const YAML::Node& node, const std::string& document);

// True for a mapping that safe_load makes a dict (no tag, `!` or `!!map`; not `!!omap`, `!!set`, …).
bool is_dict(const YAML::Node& node);

struct Entry {
  YAML::Node key, value;
  bool merged = false;  // came from a `<<` merge key: a later explicit key replaces it
};

// A dict's entries in SafeConstructor's order: every `<<` merge key replaced by the entries it merges (a list
// of mappings merges the first one last, so that it wins), merged entries first, then the explicit ones; as
// in a Python dict, a later entry with an equal key replaces an earlier one. @throws InputError (802) when a
// `<<` value is not a mapping or a list of mappings (`where` names the mapping).
std::vector<Entry> dict_entries(const YAML::Node& map, const std::string& document, const std::string& where);

// For messages: "'4.5' (a float)", "'4' (a string)", "'on' (a bool)", "null", "a list", "a mapping".
std::string describe(const YAML::Node& node, const std::string& document);

}  // namespace kvt::yaml11
