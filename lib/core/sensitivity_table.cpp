// SensitivityTable file forms. JSON is canonical and read back; CSV is for people and spreadsheets.
// JSON layout: flat keys named like the struct fields, pairs as names ("KV8", "K8V4"), error tables as
// nested arrays [layer][pair] (and [layer][pair][kv_head] for e_o_per_head).
#include "lib/core/sensitivity_table.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"

namespace kvt {

namespace {

constexpr const char* kFormatName = "kvtuner-sensitivity-table";
constexpr int kFormatVersion = 1;

using Matrix = std::vector<std::vector<double>>;

// Checks one [layer][pair] error table; an empty optional table is fine.
void validate_matrix(const Matrix& m, const std::string& field, bool required, const SensitivityTable& t,
                     const std::string& source) {
  if (m.empty() && !required) return;
  if (m.size() != static_cast<size_t>(t.num_layers))
    throw InputError(source + ": " + field + " has " + std::to_string(m.size()) +
                         " layers, expected num_layers = " + std::to_string(t.num_layers),
                     602);
  for (size_t l = 0; l < m.size(); ++l) {
    if (m[l].size() != t.pairs.size())
      throw InputError(source + ": " + field + "[" + std::to_string(l) + "] has " + std::to_string(m[l].size()) +
                           " values, expected one per pair (" + std::to_string(t.pairs.size()) + ")",
                       602);
    for (size_t p = 0; p < m[l].size(); ++p)
      if (!std::isfinite(m[l][p]) || m[l][p] < 0)
        throw InputError(source + ": " + field + " at layer " + std::to_string(l) + ", pair " + t.pairs[p].name() +
                             " is " + std::to_string(m[l][p]) + ", expected a finite value >= 0",
                         603);
  }
  // The search adds one value per layer: every such sum must stay finite (1e308 on every layer does not).
  double worst_sum = 0;
  for (const auto& row : m) worst_sum += row.empty() ? 0.0 : *std::max_element(row.begin(), row.end());
  if (!std::isfinite(worst_sum))
    throw InputError(source + ": " + field + ": the largest values of the " + std::to_string(m.size()) +
                         " layers add up to more than the largest double; the search sums one value per layer",
                     603);
}

// nlohmann throws type_error on a mismatched field; rethrow it naming the field.
template <typename T>
T get_field(const nlohmann::json& j, const char* key, const std::string& source, const T& fallback, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw InputError(source + ": missing field '" + std::string(key) + "'", 604);
    return fallback;
  }
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": field '" + std::string(key) + "' has the wrong type (" + it->type_name() + ")", 605);
  }
}

// An integer field checked in 64 bits before narrowing to int (2^32 + 6 is not 6). `fallback` when absent or null.
int64_t int_field(const nlohmann::json& j, const char* key, const std::string& source, int64_t fallback, bool required,
                  int64_t max = INT32_MAX) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw InputError(source + ": missing field '" + std::string(key) + "'", 604);
    return fallback;
  }
  if (!it->is_number_integer())
    throw InputError(source + ": field '" + std::string(key) + "' has the wrong type (" + it->type_name() + ")", 605);
  int64_t value = 0;
  if (!json_integer_in(*it, INT64_MIN, max, value) || value < -int64_t(INT32_MAX))
    throw InputError(source + ": field '" + std::string(key) + "' is " + it->dump() + ", out of range (at most " +
                         std::to_string(max) + ")",
                     605);
  return value;
}

std::string format_csv_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

int SensitivityTable::pair_index(const PrecisionPair& p) const {
  for (size_t i = 0; i < pairs.size(); ++i)
    if (pairs[i] == p) return static_cast<int>(i);
  return -1;
}

const std::vector<std::string>& proxy_names() {
  static const std::vector<std::string> names = {"eo", "kl", "fisher"};
  return names;
}

bool is_proxy_name(const std::string& name) {
  const auto& names = proxy_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string proxy_column(const std::string& proxy_name) { return proxy_name == "eo" ? "e_o" : proxy_name; }

const Matrix* SensitivityTable::errors_of(const std::string& name) const {
  if (name == "eo") return &e_o;
  if (name == "kl") return &kl;
  if (name == "fisher") return &fisher;
  return nullptr;
}

const Matrix& SensitivityTable::proxy_errors() const {
  const Matrix* m = errors_of(proxy);
  KVT_ASSERT(m != nullptr && !m->empty(), "the table's proxy names no measured error table");
  return *m;
}

void SensitivityTable::select_proxy(const std::string& name, const std::string& option) {
  const Matrix* m = errors_of(name);
  if (m == nullptr) throw InputError(option + ": unknown proxy '" + name + "' (expected eo, kl or fisher)", 611);
  if (m->empty())
    throw InputError(option + " " + name + ": the sensitivity table has no " + proxy_column(name) +
                         " (profile with --proxy " + name + ")",
                     611);
  proxy = name;
}

void SensitivityTable::validate(const std::string& source_name) const {
  const std::string& src = source_name;
  if (num_layers <= 0) throw InputError(src + ": num_layers = " + std::to_string(num_layers) + ", expected >= 1", 600);
  if (pairs.empty()) throw InputError(src + ": pairs is empty, expected at least one candidate pair", 601);
  std::set<std::pair<int, int>> seen;
  for (const auto& p : pairs) {
    if (!is_supported_bits(p.key_bits) || !is_supported_bits(p.value_bits))
      throw InputError(src + ": pair " + p.name() + " uses bits outside 1..8 or 16", 601);
    if (!seen.insert({p.key_bits, p.value_bits}).second)
      throw InputError(src + ": pair " + p.name() + " is listed twice in pairs", 601);
  }
  if (num_kv_heads < 0 || head_dim < 0 || num_prompts < 0 || num_tokens < 0)
    throw InputError(src + ": num_kv_heads, head_dim, num_prompts and num_tokens must be >= 0", 606);
  // A profiled table (one that records its scheme) describes a real model: its shape is known.
  if (!scheme.empty() && (num_kv_heads < 1 || head_dim < 1))
    throw InputError(src + ": scheme '" + scheme + "' is recorded but num_kv_heads = " + std::to_string(num_kv_heads) +
                         " and head_dim = " + std::to_string(head_dim) + "; a profiled table has both >= 1",
                     606);
  if (!scheme_params.is_object())
    throw InputError(src + ": field 'scheme_params' must be an object, got " + std::string(scheme_params.type_name()),
                     605);
  if (!prefill_mode.empty() && prefill_mode != "prefill-fp" && prefill_mode != "prefill-quantized")
    throw InputError(src + ": prefill_mode is '" + prefill_mode + "', expected prefill-fp or prefill-quantized", 605);
  validate_matrix(e_o, "e_o", true, *this, src);
  validate_matrix(e_k, "e_k", false, *this, src);
  validate_matrix(e_v, "e_v", false, *this, src);
  validate_matrix(e_a, "e_a", false, *this, src);
  validate_matrix(kl, "kl", false, *this, src);
  validate_matrix(fisher, "fisher", false, *this, src);
  const Matrix* selected = errors_of(proxy);
  if (selected == nullptr) throw InputError(src + ": proxy is '" + proxy + "', expected eo, kl or fisher", 611);
  if (selected->empty())
    throw InputError(src + ": proxy is '" + proxy + "' but the table has no " + proxy_column(proxy), 611);
  if (!e_o_per_head.empty()) {
    if (num_kv_heads <= 0) throw InputError(src + ": e_o_per_head is given but num_kv_heads is not set", 607);
    if (e_o_per_head.size() != static_cast<size_t>(num_layers))
      throw InputError(src + ": e_o_per_head has " + std::to_string(e_o_per_head.size()) + " layers, expected " +
                           std::to_string(num_layers),
                       607);
    for (size_t l = 0; l < e_o_per_head.size(); ++l) {
      if (e_o_per_head[l].size() != pairs.size())
        throw InputError(src + ": e_o_per_head[" + std::to_string(l) + "] has " +
                             std::to_string(e_o_per_head[l].size()) + " pairs, expected " +
                             std::to_string(pairs.size()),
                         607);
      for (size_t p = 0; p < pairs.size(); ++p) {
        const auto& heads = e_o_per_head[l][p];
        if (heads.size() != static_cast<size_t>(num_kv_heads))
          throw InputError(src + ": e_o_per_head at layer " + std::to_string(l) + ", pair " + pairs[p].name() +
                               " has " + std::to_string(heads.size()) +
                               " heads, expected num_kv_heads = " + std::to_string(num_kv_heads),
                           607);
        for (double v : heads)
          if (!std::isfinite(v) || v < 0)
            throw InputError(src + ": e_o_per_head at layer " + std::to_string(l) + ", pair " + pairs[p].name() +
                                 " holds " + std::to_string(v) + ", expected finite values >= 0",
                             603);
      }
    }
  }
  if (!effective_bits.empty()) {
    if (effective_bits.size() != pairs.size())
      throw InputError(src + ": effective_bits has " + std::to_string(effective_bits.size()) +
                           " values, expected one per pair (" + std::to_string(pairs.size()) + ")",
                       608);
    for (size_t p = 0; p < pairs.size(); ++p)
      if (!std::isfinite(effective_bits[p]) || effective_bits[p] <= 0)
        throw InputError(src + ": effective_bits for pair " + pairs[p].name() + " is " +
                             std::to_string(effective_bits[p]) + ", expected a finite value > 0",
                         608);
  }
  if (!std::isfinite(kv_elements_per_token_per_layer) || kv_elements_per_token_per_layer < 0)
    throw InputError(src + ": kv_elements_per_token_per_layer must be a finite value >= 0", 608);
}

nlohmann::json to_json(const SensitivityTable& t) {
  nlohmann::json j;
  j["format"] = kFormatName;
  j["format_version"] = kFormatVersion;
  j["tool_version"] = t.tool_version;
  j["model_path"] = t.model_path;
  j["model_name"] = t.model_name;
  j["model_hash"] = t.model_hash;
  j["calib_hash"] = t.calib_hash;
  j["scheme"] = t.scheme;
  j["scheme_params"] = t.scheme_params;
  j["prefill_mode"] = t.prefill_mode;
  j["num_layers"] = t.num_layers;
  j["num_kv_heads"] = t.num_kv_heads;
  j["head_dim"] = t.head_dim;
  j["num_prompts"] = t.num_prompts;
  j["num_tokens"] = t.num_tokens;
  nlohmann::json names = nlohmann::json::array();
  for (const auto& p : t.pairs) names.push_back(p.name());
  j["pairs"] = names;
  j["e_o"] = t.e_o;
  j["e_k"] = t.e_k;
  j["e_v"] = t.e_v;
  j["e_a"] = t.e_a;
  j["kl"] = t.kl;
  j["fisher"] = t.fisher;
  j["proxy"] = t.proxy;
  j["proxy_reason"] = t.proxy_reason;
  j["e_o_per_head"] = t.e_o_per_head;
  j["effective_bits"] = t.effective_bits;
  j["kv_elements_per_token_per_layer"] = t.kv_elements_per_token_per_layer;
  return j;
}

SensitivityTable sensitivity_table_from_json(const nlohmann::json& j, const std::string& source_name) {
  const std::string& src = source_name;
  if (!j.is_object()) throw InputError(src + ": expected a JSON object (a kvtuner sensitivity table)", 604);
  std::string format = get_field<std::string>(j, "format", src, kFormatName, false);
  if (format != kFormatName)
    throw InputError(src + ": format is '" + format + "', expected '" + kFormatName + "'", 609);
  const int64_t version = int_field(j, "format_version", src, kFormatVersion, false);
  if (version != kFormatVersion)
    throw UnsupportedError(src + ": format_version " + std::to_string(version) +
                               " is not supported (this build reads " + std::to_string(kFormatVersion) + ")",
                           609);
  SensitivityTable t;
  t.tool_version = get_field<std::string>(j, "tool_version", src, "", false);
  t.model_path = get_field<std::string>(j, "model_path", src, "", false);
  t.model_name = get_field<std::string>(j, "model_name", src, "", false);
  t.model_hash = get_field<std::string>(j, "model_hash", src, "", false);
  t.calib_hash = get_field<std::string>(j, "calib_hash", src, "", false);
  t.scheme = get_field<std::string>(j, "scheme", src, "", false);
  t.scheme_params = get_field<nlohmann::json>(j, "scheme_params", src, nlohmann::json::object(), false);
  t.prefill_mode = get_field<std::string>(j, "prefill_mode", src, "", false);
  t.num_layers = int(int_field(j, "num_layers", src, 0, true));
  t.num_kv_heads = int(int_field(j, "num_kv_heads", src, 0, false));
  t.head_dim = int(int_field(j, "head_dim", src, 0, false));
  t.num_prompts = int(int_field(j, "num_prompts", src, 0, false));
  t.num_tokens = int_field(j, "num_tokens", src, 0, false, INT64_MAX);
  for (const auto& name : get_field<std::vector<std::string>>(j, "pairs", src, {}, true)) {
    try {
      t.pairs.push_back(parse_precision_pair(name));
    } catch (const InputError& e) {
      std::string what = e.what();  // drop the nested "[kvt.input.N] " prefix
      throw InputError(src + ": pairs: " + what.substr(what.find("] ") + 2), 601);
    }
  }
  t.e_o = get_field<Matrix>(j, "e_o", src, {}, true);
  t.e_k = get_field<Matrix>(j, "e_k", src, {}, false);
  t.e_v = get_field<Matrix>(j, "e_v", src, {}, false);
  t.e_a = get_field<Matrix>(j, "e_a", src, {}, false);
  t.kl = get_field<Matrix>(j, "kl", src, {}, false);
  t.fisher = get_field<Matrix>(j, "fisher", src, {}, false);
  t.proxy = get_field<std::string>(j, "proxy", src, "eo", false);
  t.proxy_reason = get_field<std::string>(j, "proxy_reason", src, "", false);
  t.e_o_per_head = get_field<std::vector<Matrix>>(j, "e_o_per_head", src, {}, false);
  t.effective_bits = get_field<std::vector<double>>(j, "effective_bits", src, {}, false);
  t.kv_elements_per_token_per_layer = get_field<double>(j, "kv_elements_per_token_per_layer", src, 0.0, false);
  t.validate(src);
  return t;
}

SensitivityTable parse_sensitivity_table(const std::string& text, const std::string& source) {
  const nlohmann::json j = parse_json(text, source, 610);
  return sensitivity_table_from_json(j, source);
}

SensitivityTable read_sensitivity_table(const std::string& path) {
  return parse_sensitivity_table(read_file(path), path);
}

std::string to_csv(const SensitivityTable& t) {
  std::ostringstream out;
  out << "layer,pair,key_bits,value_bits,mean_bits,effective_bits,e_o,e_k,e_v,e_a,kl,fisher\n";
  auto cell = [](const Matrix& m, size_t l, size_t p) {
    return m.empty() ? std::string() : format_csv_number(m[l][p]);
  };
  for (size_t l = 0; l < t.e_o.size(); ++l)
    for (size_t p = 0; p < t.pairs.size(); ++p) {
      const auto& pair = t.pairs[p];
      out << l << ',' << pair.name() << ',' << pair.key_bits << ',' << pair.value_bits << ','
          << format_csv_number(pair.mean_bits()) << ','
          << (t.effective_bits.empty() ? std::string() : format_csv_number(t.effective_bits[p])) << ','
          << cell(t.e_o, l, p) << ',' << cell(t.e_k, l, p) << ',' << cell(t.e_v, l, p) << ',' << cell(t.e_a, l, p)
          << ',' << cell(t.kl, l, p) << ',' << cell(t.fisher, l, p) << '\n';
    }
  return out.str();
}

}  // namespace kvt
