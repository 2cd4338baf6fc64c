// `kvtuner-search export`: a searched config (any form read_kv_config accepts) → a deployment format, with
// the projected config's nominal/effective bits and proxy error reported next to the searched config's.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/core/sensitivity_table.h"
#include "search/interop/engine_projection.h"
#include "search/interop/projection.h"

namespace kvt::interop {

struct ExportRequest {
  std::string config_path;
  std::string format;                      // one of export_formats()
  std::string model_dir;                   // optional: layer count and head_dim from config.json
  std::string sensitivity_path;            // optional: proxy errors from this table
  std::vector<std::string> engine_dtypes;  // optional: restricts an engine's dtype menu
  std::string kv_memory;                   // optional: "16GiB" → context tokens that fit (engine_candidates.h)
};

// Everything the searched config is measured with, resolved from the files.
struct ExportContext {
  KvConfig config;
  std::string config_path;
  std::string scheme;         // "per-token-asym", "kivi", or another name from the metadata
  std::string scheme_source;  // "metadata", "sensitivity table", "file name", "assumed"
  SchemeStorage storage;      // K and V group rules of kvtuner's quantizer under that scheme
  int head_dim = 128;
  std::string head_dim_source;  // "--model", "sensitivity table", "metadata", "assumed"
  std::optional<SensitivityTable> table;
  int kv_heads = 0;  // from --model or the table; 0 when unknown
  // --kv-memory: KV-cache memory in bytes and the text it was given as; the report adds bytes per token and
  // the tokens of context that fit for the searched config and every projection.
  std::optional<uint64_t> kv_memory_bytes;
  std::string kv_memory_text;
};

struct ExportResult {
  std::string artifact;  // the file content (YAML, or JSON ending in a newline)
  BitsSummary searched;
  std::vector<EngineProjection> projections;
  std::vector<BitsSummary> projected;  // [projection]
};

// "kvtuner-yaml", "json", then the engines of engine_registry.h in table order.
const std::vector<std::string>& export_formats();

// Reads the config (layer count checked against --model), the model shape and the table, and resolves the
// scheme. @throws InputError naming the file or option: unknown format, --engine-dtypes on a kvtuner format,
// a table whose layer count, scheme or model hash disagrees with the config.
ExportContext load_export_context(const ExportRequest& request);

ExportResult run_export(const ExportContext& context, const std::string& format,
                        const std::vector<std::string>& engine_dtypes);

// "kivi (file name); K groups of 32, V groups of 32; head_dim 128 (assumed)".
std::string scheme_description(const ExportContext& context);

// Human-readable report: context line, a bits table (searched and every projection), with --kv-memory the KV
// bytes per token (layers · 2 · H_kv · head_dim · effective bits / 8, the residual window not counted) and the
// tokens of context that fit, then invocations and notes.
std::string format_export_report(const ExportContext& context, const std::string& format, const ExportResult& result);

}  // namespace kvt::interop
