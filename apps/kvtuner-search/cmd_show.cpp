// kvtuner-search show --config FILE [--model DIR] [--sensitivity FILE]: per-layer view and bits summary.
#include <cstdio>
#include <memory>

#include "apps/kvtuner-search/commands.h"
#include "search/interop/config_view.h"
#include "search/interop/exporter.h"

namespace kvt::app {

namespace {

void run_show(const interop::ExportRequest& request) {
  // The export context resolves the layer check, scheme and head_dim exactly as `export` does.
  interop::ExportContext c = interop::load_export_context(request);
  const SensitivityTable* table = c.table ? &*c.table : nullptr;
  interop::BitsSummary searched = interop::summarize_searched(c.config, c.storage, table);
  std::string view = interop::format_config_view(c.config, c.config_path, searched, interop::scheme_description(c));
  std::fwrite(view.data(), 1, view.size(), stdout);
}

}  // namespace

void register_show(CLI::App& app) {
  auto request = std::make_shared<interop::ExportRequest>();
  request->format = "kvtuner-yaml";
  auto* cmd = app.add_subcommand("show", "Show a config per layer with its average bits and pair histogram");
  cmd->add_option("--config", request->config_path, "Config: KVTuner YAML (per-layer or per-head) or kvtuner JSON")
      ->required();
  cmd->add_option("--model", request->model_dir, "Model directory: checks the layer count, gives head_dim");
  cmd->add_option("--sensitivity", request->sensitivity_path, "Sensitivity table: adds the config's proxy error");
  cmd->callback([request] { run_show(*request); });
}

}  // namespace kvt::app
