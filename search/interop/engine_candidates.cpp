#include "search/interop/engine_candidates.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "lib/core/error.h"
#include "lib/quant/kv_types.h"
#include "search/interop/engine_registry.h"

namespace kvt::interop {

namespace {

const EngineConstraints& hf_engine() {
  static const EngineConstraints hf = [] {
    EngineConstraints e;
    e.name = "hf";
    e.help = "today's KVTuner integer (key bits, value bits) pairs under --scheme";
    e.scope = LayerScope::PerLayer;
    e.unquantized = "bf16";
    e.integer_pairs = true;
    return e;
  }();
  return hf;
}

KvCandidateType unquantized_type(const EngineConstraints& engine) { return {engine.unquantized, 0, 16.0}; }

KvCandidateType engine_type(const std::string& name, int head_dim) {
  const quant::KvType& t = quant::find_kv_type(name, "--engine");
  return {t.name, 0, t.bits_per_element(head_dim)};
}

KvCandidateType integer_type(int bits, const GroupRule& rule) {
  return {std::to_string(bits), bits, kvtuner_storage(bits, rule).effective_bits};
}

// Every (K, V) pair of `types` (K = V only when the engine says so).
std::vector<KvCandidate> pairs_of(const std::vector<KvCandidateType>& types, bool key_equals_value) {
  std::vector<KvCandidate> out;
  for (const auto& k : types)
    for (const auto& v : types)
      if (!key_equals_value || k == v) out.push_back({k, v});
  return out;
}

}  // namespace

std::string KvCandidate::name() const {
  if (key.integer_bits > 0 && value.integer_bits > 0) return PrecisionPair{key.integer_bits, value.integer_bits}.name();
  if (key == value) return "KV=" + key.name;
  return "K=" + key.name + ",V=" + value.name;
}

std::vector<std::string> search_engine_names() {
  std::vector<std::string> names{hf_engine().name};
  for (const auto& e : engines())
    for (const auto& shape : e.search_shapes) names.push_back(shape.name);
  return names;
}

const EngineConstraints& find_search_engine(const std::string& name, const std::string& option) {
  if (name == hf_engine().name) return hf_engine();
  for (const auto& e : engines())
    for (const auto& shape : e.search_shapes)
      if (shape.name == name) return shape;
  std::string names;
  for (const auto& n : search_engine_names()) names += (names.empty() ? "" : ", ") + n;
  throw InputError(option + ": unknown engine '" + name + "' (expected one of " + names + ")", 435);
}

std::vector<CandidateFamily> candidate_families(const EngineConstraints& engine, int head_dim,
                                                const std::vector<PrecisionPair>& pairs, const SchemeStorage& scheme) {
  if (engine.integer_pairs) {
    CandidateFamily f{engine.name, true, {}};
    for (const auto& p : pairs)
      f.candidates.push_back({integer_type(p.key_bits, scheme.key), integer_type(p.value_bits, scheme.value)});
    return {f};
  }
  const KvCandidateType full = unquantized_type(engine);
  if (engine.skip_layers_unquantized) {
    // One family per quantized type: each layer runs that type or stays unquantized.
    std::vector<CandidateFamily> out;
    for (const auto& name : engine.types) {
      KvCandidateType t = engine_type(name, head_dim);
      out.push_back({engine.name + " " + name, true, {{t, t}, {full, full}}});
    }
    return out;
  }
  std::vector<KvCandidateType> types;
  for (const auto& name : engine.types) types.push_back(engine_type(name, head_dim));
  types.push_back(full);
  return {{engine.name, engine.scope == LayerScope::PerLayer, pairs_of(types, engine.key_equals_value)}};
}

std::vector<KvCandidate> distinct_candidates(const std::vector<CandidateFamily>& families) {
  std::vector<KvCandidate> out;
  for (const auto& f : families)
    for (const auto& c : f.candidates) {
      bool seen = false;
      for (const auto& o : out) seen = seen || o == c;
      if (!seen) out.push_back(c);
    }
  return out;
}

double kv_bytes_per_token(const std::vector<KvCandidate>& layers, int kv_heads, int head_dim) {
  double bits = 0;
  for (const auto& c : layers) bits += c.key.bits_per_element + c.value.bits_per_element;
  return bits * kv_heads * head_dim / 8.0;
}

int64_t max_context_tokens(double bytes_per_token, uint64_t memory_bytes) {
  if (!std::isfinite(bytes_per_token) || bytes_per_token <= 0)
    throw InputError("KV-cache bytes per token must be finite and > 0, got " + std::to_string(bytes_per_token), 437);
  return static_cast<int64_t>(std::floor(static_cast<double>(memory_bytes) / bytes_per_token));
}

uint64_t parse_memory_size(const std::string& text, const std::string& option) {
  auto bad = [&](const std::string& why) {
    return InputError(option + ": '" + text + "' is not a memory size (" + why +
                          "; expected a number and B, KB, MB, GB, TB, KiB, MiB, GiB or TiB, e.g. 16GiB)",
                      436);
  };
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  const std::string number = text.substr(0, i), unit = text.substr(i);
  if (number.empty() || number.front() == '.' || number.back() == '.' || number.find('.') != number.rfind('.'))
    throw bad("no number");
  static const std::vector<std::pair<std::string, double>> units = {
      {"", 1},      {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  double factor = 0;
  for (const auto& u : units)
    if (u.first == unit) factor = u.second;
  if (factor == 0) throw bad("unknown unit '" + unit + "'");
  const double bytes = std::floor(std::strtod(number.c_str(), nullptr) * factor);
  if (!(bytes >= 1)) throw bad("not > 0 bytes");
  if (bytes >= 9223372036854775808.0) throw bad("beyond 2^63 bytes");
  return static_cast<uint64_t>(bytes);
}

}  // namespace kvt::interop
