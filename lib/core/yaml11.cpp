// PyYAML's safe_load typing over yaml-cpp nodes. Sources (PyYAML 6.0): yaml/resolver.py (the implicit
// resolvers and their order), yaml/constructor.py (SafeConstructor.construct_yaml_int, flatten_mapping),
// yaml/composer.py (get_single_node: "expected a single document in the stream").
#include "lib/core/yaml11.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "lib/core/error.h"
#include "lib/core/message_text.h"

namespace kvt::yaml11 {

namespace {

constexpr const char* kYamlTag = "tag:yaml.org,2002:";
constexpr int64_t kSaturation = int64_t(1) << 62;
constexpr int kMaxMergeDepth = 64;  // inferred: bounds a self-referencing `<<: *a` inside `&a`

// PyYAML's implicit resolvers (yaml/resolver.py, Resolver), in the order they are tried for a first character.
const std::regex& bool_re() {
  static const std::regex re("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  return re;
}
const std::regex& float_re() {
  static const std::regex re(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
      "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
      "|[-+]?\\.(?:inf|Inf|INF)"
      "|\\.(?:nan|NaN|NAN)");
  return re;
}
const std::regex& int_re() {
  static const std::regex re(
      "[-+]?0b[0-1_]+"
      "|[-+]?0[0-7_]+"
      "|[-+]?(?:0|[1-9][0-9_]*)"
      "|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return re;
}
const std::regex& null_re() {
  static const std::regex re("~|null|Null|NULL|");
  return re;
}
const std::regex& timestamp_re() {
  static const std::regex re(
      "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
      "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
  return re;
}

bool in(char c, const char* set) { return c != '\0' && std::string(set).find(c) != std::string::npos; }

// Digits of `base`, accumulated with saturation. False on an empty string or a foreign character.
bool digits_value(const std::string& s, int base, int64_t& value, bool& overflow) {
  if (s.empty()) return false;
  value = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return false;
    if (value > (kSaturation - d) / base) overflow = true;
    value = overflow ? kSaturation : value * base + d;
  }
  return true;
}

// SafeConstructor.construct_yaml_int: '_' removed, a sign, then 0 / 0b… / 0x… / 0… (octal) / a:b:c
// (base 60) / decimal. Python's int() also strips blanks; kvtuner does not (only an explicit !!int differs).
bool construct_int(std::string text, Scalar& out) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  if (text.empty()) return false;
  int64_t sign = text[0] == '-' ? -1 : 1;
  if (text[0] == '-' || text[0] == '+') text.erase(0, 1);
  int64_t value = 0;
  bool overflow = false, ok;
  if (text == "0") {
    ok = true;
  } else if (text.rfind("0b", 0) == 0) {
    ok = digits_value(text.substr(2), 2, value, overflow);
  } else if (text.rfind("0x", 0) == 0) {
    ok = digits_value(text.substr(2), 16, value, overflow);
  } else if (!text.empty() && text[0] == '0') {
    ok = digits_value(text, 8, value, overflow);
  } else if (text.find(':') != std::string::npos) {
    ok = true;
    size_t start = 0;
    while (ok) {
      size_t colon = text.find(':', start);
      int64_t part = 0;
      ok = digits_value(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start), 10, part,
                        overflow);
      if (value > (kSaturation - part) / 60) overflow = true;
      value = overflow ? kSaturation : value * 60 + part;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  } else {
    ok = digits_value(text, 10, value, overflow);
  }
  if (!ok) return false;
  out.type = ScalarType::kInt;
  out.int_value = sign * value;
  out.overflow = overflow;
  return true;
}

// Resolver.resolve for a plain scalar: the first resolver whose regex matches wins; else a string.
Scalar resolve_implicit(const std::string& text) {
  Scalar s;
  const char first = text.empty() ? '\0' : text[0];
  if (in(first, "yYnNtTfFoO") && std::regex_match(text, bool_re())) return s.type = ScalarType::kBool, s;
  if (in(first, "-+0123456789.") && std::regex_match(text, float_re())) return s.type = ScalarType::kFloat, s;
  if (in(first, "-+0123456789") && std::regex_match(text, int_re())) {
    if (!construct_int(text, s)) s.type = ScalarType::kOther, s.error = "yaml.safe_load cannot read it as an integer";
    return s;
  }
  if (text == "<<") return s.type = ScalarType::kMerge, s;
  if ((text.empty() || in(first, "~nN")) && std::regex_match(text, null_re())) return s.type = ScalarType::kNull, s;
  if (in(first, "0123456789") && std::regex_match(text, timestamp_re()))
    return s.type = ScalarType::kOther, s.error = "a timestamp", s;
  if (text == "=") return s.type = ScalarType::kOther, s.error = "yaml.safe_load has no constructor for '='", s;
  s.type = ScalarType::kString;
  return s;
}

// yaml-cpp reports both a quoted scalar and one tagged `!` as tag "!". PyYAML resolves a `!`-tagged scalar like
// a plain one (parser.py: implicit = (True, False) when tag == '!'), so look at what starts the node.
bool has_explicit_nonspecific_tag(const YAML::Node& node, const std::string& document) {
  const int pos = node.Mark().pos;
  if (pos < 0 || size_t(pos) >= document.size()) return false;
  size_t i = size_t(pos);
  if (document[i] == '&') {  // an anchor before the tag: `&a ! 4`
    while (i < document.size() && document[i] != ' ' && document[i] != '\t' && document[i] != '\n') ++i;
    while (i < document.size() && (document[i] == ' ' || document[i] == '\t')) ++i;
  }
  return i + 1 < document.size() && document[i] == '!' && (document[i + 1] == ' ' || document[i + 1] == '\t');
}

std::vector<Entry> entries_at_depth(const YAML::Node& map, const std::string& document, const std::string& where,
                                    int depth) {
  if (depth > kMaxMergeDepth)
    throw InputError(where + ": '<<' merge keys nest deeper than " + std::to_string(kMaxMergeDepth) +
                         " levels (a mapping merging itself?)",
                     802);
  std::vector<Entry> merged, explicit_entries;
  for (const auto& item : map) {
    const YAML::Node key = item.first, value = item.second;
    if (!(key.IsScalar() && resolve_scalar(key, document).type == ScalarType::kMerge)) {
      explicit_entries.push_back({key, value, false});
      continue;
    }
    std::vector<std::vector<Entry>> parts;
    if (value.IsMap()) {
      parts.push_back(entries_at_depth(value, document, where, depth + 1));
    } else if (value.IsSequence()) {
      for (const auto& sub : value) {
        if (!sub.IsMap())
          throw InputError(
              where + ": a '<<' merge list holds " + describe(sub, document) + "; yaml.safe_load merges only mappings",
              802);
        parts.push_back(entries_at_depth(sub, document, where, depth + 1));
      }
      std::reverse(parts.begin(), parts.end());  // the first mapping of the list is merged last, so it wins
    } else {
      throw InputError(where + ": '<<' merges " + describe(value, document) +
                           "; yaml.safe_load expects a mapping or a list of mappings",
                       802);
    }
    for (auto& part : parts)
      for (auto& e : part) merged.push_back({e.key, e.value, true});
  }
  merged.insert(merged.end(), explicit_entries.begin(), explicit_entries.end());
  return merged;
}

}  // namespace

namespace {

// Counts the documents of a YAML stream and where the second one starts, without building nodes.
struct DocumentCounter : YAML::EventHandler {
  int documents = 0;
  int second_line = -1;
  size_t last_pos = 0;
  bool stuck = false;  // a document started where the previous one did: the parser makes no progress
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents > 0 && size_t(mark.pos) == last_pos) stuck = true;
    last_pos = size_t(mark.pos);
    ++documents;
  }
  // The second document's first node: where its content starts (what YAML::LoadAll's node mark said).
  void node(const YAML::Mark& mark) {
    if (documents == 2 && second_line < 0) second_line = mark.line;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}
};

}  // namespace

YAML::Node load_single_document(const std::string& text, const std::string& source, const std::string& expected) {
  // Not YAML::LoadAll: yaml-cpp 0.7's LoadAll loops forever on some input (a lone ',' at the top level, found by
  // fuzz_kv_config) because HandleNextDocument keeps reporting a document without consuming anything. Count the
  // documents with a bounded loop first (every real document consumes at least one byte), then load the one.
  DocumentCounter counter;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    for (size_t round = 0; parser.HandleNextDocument(counter); ++round)
      if (counter.stuck || round > text.size() + 1)
        throw InputError(source + ": not valid " + expected + ": the YAML parser makes no progress at byte " +
                             std::to_string(counter.last_pos) + " (yaml.safe_load refuses it too)",
                         802);
  } catch (const YAML::Exception& e) {
    throw InputError(source + ": not valid " + expected + " (line " + std::to_string(e.mark.line + 1) + "): " + e.msg,
                     802);
  }
  if (counter.documents > 1) {
    const int line = counter.second_line;
    throw InputError(source + ": holds " + std::to_string(counter.documents) + " YAML documents" +
                         (line >= 0 ? " (the second starts at line " + std::to_string(line + 1) + ")" : "") +
                         "; yaml.safe_load, the official loader, reads exactly one: remove the '---' / '...' "
                         "separator or split the file",
                     802);
  }
  if (counter.documents == 0) return YAML::Node();
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(source + ": not valid " + expected + " (line " + std::to_string(e.mark.line + 1) + "): " + e.msg,
                     802);
  }
}

Scalar resolve_scalar(const YAML::Node& node, const std::string& document) {
  Scalar s;
  if (!node.IsDefined() || node.IsNull()) return s.type = ScalarType::kNull, s;
  if (!node.IsScalar()) return s.type = ScalarType::kOther, s.error = "not a scalar", s;
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "?" || tag.empty()) return resolve_implicit(text);
  if (tag == "!") {
    if (has_explicit_nonspecific_tag(node, document)) return resolve_implicit(text);
    return s.type = ScalarType::kString, s;
  }
  if (tag.rfind(kYamlTag, 0) == 0) {
    const std::string name = tag.substr(std::string(kYamlTag).size());
    if (name == "int") {
      if (!construct_int(text, s)) s.type = ScalarType::kOther, s.error = "yaml.safe_load cannot read it as !!int";
      return s;
    }
    if (name == "str") return s.type = ScalarType::kString, s;
    if (name == "float") return s.type = ScalarType::kFloat, s;
    if (name == "bool") return s.type = ScalarType::kBool, s;
    if (name == "null") return s.type = ScalarType::kNull, s;
    if (name == "merge") return s.type = ScalarType::kMerge, s;
    if (name == "binary" || name == "timestamp")
      return s.type = ScalarType::kOther, s.error = "a !!" + name + " value", s;
  }
  s.type = ScalarType::kOther;
  s.error = "tag " + tag + ", which yaml.safe_load cannot construct";
  return s;
}

bool is_dict(const YAML::Node& node) {
  if (!node.IsMap()) return false;
  const std::string& tag = node.Tag();
  return tag.empty() || tag == "?" || tag == "!" || tag == std::string(kYamlTag) + "map";
}

std::vector<Entry> dict_entries(const YAML::Node& map, const std::string& document, const std::string& where) {
  return entries_at_depth(map, document, where, 0);
}

std::string describe(const YAML::Node& node, const std::string& document) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return is_dict(node) ? "a mapping" : "a mapping tagged " + escape_for_message(node.Tag(), 60);
  const Scalar s = resolve_scalar(node, document);
  std::string kind;
  switch (s.type) {
    case ScalarType::kNull:
      kind = "null";
      break;
    case ScalarType::kBool:
      kind = "a bool in YAML 1.1";
      break;
    case ScalarType::kInt:
      kind = "an integer";
      break;
    case ScalarType::kFloat:
      kind = "a float";
      break;
    case ScalarType::kString:
      kind = "a string";
      break;
    case ScalarType::kMerge:
      kind = "a merge key";
      break;
    case ScalarType::kOther:
      kind = s.error;
      break;
  }
  return "'" + escape_for_message(node.Scalar(), 60) + "' (" + kind + ")";  // a binary file's bytes stay out
}

}  // namespace kvt::yaml11
