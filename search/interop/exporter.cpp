#include "search/interop/exporter.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/model/model_config.h"
#include "lib/quant/scheme_registry.h"
#include "search/interop/engine_candidates.h"
#include "search/interop/engine_registry.h"

namespace kvt::interop {

namespace {

constexpr int kDefaultHeadDim = 128;  // Llama/Qwen/Mistral 7-8B; used only when nothing says otherwise

bool is_engine_format(const std::string& format) { return format != "kvtuner-yaml" && format != "json"; }

// A positive integer from a JSON object, or 0.
int positive_int(const nlohmann::json& object, const char* key) {
  int64_t v = 0;  // checked in 64 bits: 2^32 + 32 is not 32
  if (!object.is_object() || !object.contains(key) || !json_integer_in(object.at(key), 1, INT32_MAX, v)) return 0;
  return int(v);
}

std::string metadata_string(const KvConfig& config, const char* key) {
  auto it = config.metadata.find(key);
  return it != config.metadata.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void resolve_scheme(ExportContext& c) {
  std::string from_metadata = metadata_string(c.config, "scheme");
  std::string from_table = c.table ? c.table->scheme : "";
  if (!from_metadata.empty() && !from_table.empty() && from_metadata != from_table)
    throw InputError(c.config_path + ": scheme '" + from_metadata +
                         "' in the config metadata, but the sensitivity "
                         "table was profiled with '" +
                         from_table + "'",
                     863);
  std::string file = std::filesystem::path(c.config_path).filename().string();
  if (!from_metadata.empty()) {
    c.scheme = from_metadata, c.scheme_source = "metadata";
  } else if (!from_table.empty()) {
    c.scheme = from_table, c.scheme_source = "sensitivity table";
  } else if (file.find("_kivi_") != std::string::npos) {  // official preset names: <Model>_<kivi|pertoken>_KVTuner…
    c.scheme = "kivi", c.scheme_source = "file name";
  } else if (file.find("_pertoken_") != std::string::npos) {
    c.scheme = "per-token-asym", c.scheme_source = "file name";
  } else {
    c.scheme = "per-token-asym", c.scheme_source = "assumed";
  }
  // Scheme parameters (metadata first, then the table) win over the scheme's defaults: either lib/quant's
  // {"key": {"group_size", "symmetric", ...}, "value": {...}} or one "group_size" / "q_group_size" for both.
  nlohmann::json params = c.config.metadata.value("scheme_params", nlohmann::json::object());
  if ((!params.is_object() || params.empty()) && c.table) params = c.table->scheme_params;
  // Defaults: the registered scheme's group sizes (lib/quant/scheme_registry.cpp); a name outside the
  // registry is taken as per-token groups of head_dim.
  const auto& registered = quant::scheme_names();
  std::optional<quant::QuantScheme> scheme;
  if (std::find(registered.begin(), registered.end(), c.scheme) != registered.end())
    scheme = quant::lookup_scheme(c.scheme);
  int shared = std::max(positive_int(params, "group_size"), positive_int(params, "q_group_size"));
  auto rule_for = [&](const char* tensor) {
    const quant::TensorQuantSpec* spec = !scheme                        ? nullptr
                                         : tensor == std::string("key") ? &scheme->key
                                                                        : &scheme->value;
    GroupRule rule{shared > 0 ? shared
                   : spec     ? spec->effective_group_size(c.head_dim)
                              : c.head_dim,
                   spec && spec->symmetric};
    if (params.is_object() && params.contains(tensor) && params[tensor].is_object()) {
      const auto& spec = params[tensor];
      if (spec.contains("group_size") && spec["group_size"].is_number_integer())  // 0 = head_dim (per-token)
        rule.group_size = positive_int(spec, "group_size") > 0 ? positive_int(spec, "group_size") : c.head_dim;
      if (spec.contains("symmetric") && spec["symmetric"].is_boolean()) rule.symmetric = spec["symmetric"].get<bool>();
    }
    return rule;
  };
  c.storage = {rule_for("key"), rule_for("value")};
}

std::string rule_text(const GroupRule& rule) {
  return "groups of " + std::to_string(rule.group_size) + (rule.symmetric ? " (symmetric)" : "");
}

nlohmann::ordered_json summary_json(const BitsSummary& s) {
  nlohmann::ordered_json j;
  j["nominal_bits"] = s.nominal_bits;
  j["effective_bits"] = s.effective_bits;
  j["proxy_error"] = s.proxy_error ? nlohmann::ordered_json(*s.proxy_error) : nlohmann::ordered_json();
  if (!s.proxy_note.empty()) j["proxy_note"] = s.proxy_note;
  return j;
}

std::string engine_artifact(const ExportContext& c, const std::string& format, const ExportResult& r) {
  nlohmann::ordered_json j;
  j["format"] = "kvtuner-export-v1";
  j["engine"] = format;
  j["config"] = {{"file", std::filesystem::path(c.config_path).filename().string()},
                 {"layers", c.config.num_layers()},
                 {"per_head", c.config.per_head()},
                 {"scheme", c.scheme},
                 {"key_group_size", c.storage.key.group_size},
                 {"value_group_size", c.storage.value.group_size},
                 {"head_dim", c.head_dim}};
  j["searched"] = summary_json(r.searched);
  j["projections"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.projections.size(); ++i) {
    const auto& p = r.projections[i];
    nlohmann::ordered_json pj;
    pj["engine"] = p.label;
    pj["invocation"] = p.invocation;
    pj["settings"] = p.settings;
    pj["bits"] = summary_json(r.projected[i]);
    pj["per_layer"] = nlohmann::ordered_json::array();
    for (size_t l = 0; l < p.layers.size(); ++l)
      pj["per_layer"].push_back({{"layer", l}, {"key", p.layers[l].key.name}, {"value", p.layers[l].value.name}});
    pj["notes"] = p.notes;
    pj["requires"] = p.requirements;
    j["projections"].push_back(pj);
  }
  return j.dump(2) + "\n";
}

std::string fixed(double v, const char* format = "%.4f") {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string report_row(const std::string& label, const BitsSummary& s) {
  char buf[160];
  std::string proxy =
      s.proxy_error ? fixed(*s.proxy_error, "%.6g") : (s.proxy_note == "no --sensitivity table" ? "-" : "n/a");
  std::snprintf(buf, sizeof buf, "%-16s %8.4f %10.4f %12s\n", label.c_str(), s.nominal_bits, s.effective_bits,
                proxy.c_str());
  return buf;
}

}  // namespace

const std::vector<std::string>& export_formats() {
  static const std::vector<std::string> formats = [] {
    std::vector<std::string> names = {"kvtuner-yaml", "json"};
    for (const auto& e : engines()) names.push_back(e.name);
    return names;
  }();
  return formats;
}

std::string scheme_description(const ExportContext& c) {
  return c.scheme + " (" + c.scheme_source + "); K " + rule_text(c.storage.key) + ", V " + rule_text(c.storage.value) +
         "; head_dim " + std::to_string(c.head_dim) + " (" + c.head_dim_source + ")";
}

ExportContext load_export_context(const ExportRequest& request) {
  const auto& formats = export_formats();
  if (std::find(formats.begin(), formats.end(), request.format) == formats.end()) {
    std::string names;
    for (const auto& f : formats) names += (names.empty() ? "" : ", ") + f;
    throw InputError("--to: unknown format '" + request.format + "' (expected one of " + names + ")", 860);
  }
  if (!request.engine_dtypes.empty() && !is_engine_format(request.format))
    throw InputError("--engine-dtypes: only for engine formats, not --to " + request.format, 861);

  ExportContext c;
  c.config_path = request.config_path;
  int expected_layers = 0;
  if (!request.model_dir.empty()) {
    model::ModelConfig shape = model::load_model_config(request.model_dir);
    expected_layers = shape.num_layers;
    c.head_dim = shape.head_dim, c.head_dim_source = "--model";
    c.kv_heads = shape.num_kv_heads;
  }
  c.config = read_kv_config(request.config_path, expected_layers);
  if (!request.sensitivity_path.empty()) {
    c.table = read_sensitivity_table(request.sensitivity_path);
    const SensitivityTable& t = *c.table;
    if (t.num_layers != static_cast<int>(c.config.num_layers()))
      throw InputError(request.sensitivity_path + ": the table has " + std::to_string(t.num_layers) +
                           " layers but the config " + request.config_path + " has " +
                           std::to_string(c.config.num_layers()),
                       862);
    std::string config_hash = metadata_string(c.config, "model_hash");
    if (!config_hash.empty() && !t.model_hash.empty() && config_hash != t.model_hash)
      throw InputError(request.sensitivity_path + ": model_hash " + t.model_hash + " differs from the config's " +
                           config_hash + " (the table is for another model)",
                       862);
    if (c.head_dim_source.empty() && t.head_dim > 0) c.head_dim = t.head_dim, c.head_dim_source = "sensitivity table";
    if (c.kv_heads == 0) c.kv_heads = t.num_kv_heads;
  }
  if (!request.kv_memory.empty()) {
    c.kv_memory_bytes = parse_memory_size(request.kv_memory, "--kv-memory");
    c.kv_memory_text = request.kv_memory;
    if (c.kv_heads <= 0 || c.head_dim_source == "assumed" || c.head_dim_source.empty())
      throw InputError("--kv-memory: needs the model's KV heads and head_dim: pass --model (or --sensitivity)", 438);
  }
  if (c.head_dim_source.empty()) {
    int from_metadata = positive_int(c.config.metadata, "head_dim");
    if (from_metadata > 0)
      c.head_dim = from_metadata, c.head_dim_source = "metadata";
    else
      c.head_dim = kDefaultHeadDim, c.head_dim_source = "assumed";
  }
  resolve_scheme(c);
  return c;
}

ExportResult run_export(const ExportContext& c, const std::string& format,
                        const std::vector<std::string>& engine_dtypes) {
  ExportResult r;
  const SensitivityTable* table = c.table ? &*c.table : nullptr;
  r.searched = summarize_searched(c.config, c.storage, table);
  if (format == "kvtuner-yaml") {
    r.artifact = to_kvtuner_yaml(c.config);
    return r;
  }
  if (format == "json") {
    r.artifact = to_json(c.config).dump(2) + "\n";
    return r;
  }
  EngineInput input;
  input.layer_pairs = covering_layer_pairs(c.config);
  input.budget_effective_bits = r.searched.effective_bits;
  input.head_dim = c.head_dim;
  input.table = table;
  input.allowed_dtypes = engine_dtypes;
  r.projections = find_engine(format).project(input);
  if (c.config.per_head())
    for (auto& p : r.projections)
      p.notes.push_back("per-head config: each layer takes its largest K and V bits over heads");
  for (const auto& p : r.projections) r.projected.push_back(summarize(p.layers, table));
  r.artifact = engine_artifact(c, format, r);
  return r;
}

std::string format_export_report(const ExportContext& c, const std::string& format, const ExportResult& r) {
  std::string out = "config: " + c.config_path + " (" + std::to_string(c.config.num_layers()) + " layers, " +
                    (c.config.per_head() ? "per-head" : "per-layer") + ")\n";
  out += "scheme: " + scheme_description(c) + "\n";
  if (c.scheme_source == "assumed" || c.head_dim_source == "assumed")
    out += "note: effective bits use assumed values; record the scheme in the config metadata or pass --model\n";
  out += "\n";
  char header[160];
  std::snprintf(header, sizeof header, "%-16s %8s %10s %12s\n", "", "nominal", "effective", "proxy error");
  out += header;
  out += report_row("searched", r.searched);
  for (size_t i = 0; i < r.projections.size(); ++i) out += report_row(r.projections[i].label, r.projected[i]);
  if (c.kv_memory_bytes) {
    const double elements = 2.0 * c.config.num_layers() * c.kv_heads * c.head_dim;  // K and V, per token
    char line[200];
    std::snprintf(line, sizeof line,
                  "\nKV cache (%zu layers, %d KV heads, head_dim %d; effective bits, residual window not counted):\n",
                  c.config.num_layers(), c.kv_heads, c.head_dim);
    out += line;
    std::snprintf(line, sizeof line, "%-16s %14s %18s\n", "", "bytes/token", ("tokens in " + c.kv_memory_text).c_str());
    out += line;
    auto memory_row = [&](const std::string& label, const BitsSummary& s) {
      const double bytes = elements * s.effective_bits / 8;
      std::snprintf(line, sizeof line, "%-16s %14.6g %18lld\n", label.c_str(), bytes,
                    static_cast<long long>(max_context_tokens(bytes, *c.kv_memory_bytes)));
      out += line;
    };
    memory_row("searched", r.searched);
    for (size_t i = 0; i < r.projections.size(); ++i) memory_row(r.projections[i].label, r.projected[i]);
  }
  if (!r.searched.proxy_note.empty() && r.searched.proxy_note != "no --sensitivity table")
    out += "searched proxy: " + r.searched.proxy_note + "\n";
  for (size_t i = 0; i < r.projections.size(); ++i) {
    const auto& p = r.projections[i];
    out += "\n" + p.label + ": " + p.invocation + "\n";
    for (const auto& note : p.notes) out += "  note: " + note + "\n";
    for (const auto& needed : p.requirements) out += "  requires: " + needed + "\n";
    if (!r.projected[i].proxy_note.empty() && r.projected[i].proxy_note != "no --sensitivity table")
      out += "  proxy: " + r.projected[i].proxy_note + "\n";
  }
  if (!is_engine_format(format)) out += "\n" + format + ": exact (kvtuner runs the searched config as is)\n";
  return out;
}

}  // namespace kvt::interop
