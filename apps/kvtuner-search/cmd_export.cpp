// kvtuner-search export --config FILE --to FORMAT [--model DIR] [--sensitivity FILE] [--out FILE] [--force]
// [--engine-dtypes LIST] [--kv-memory SIZE]: a searched config in a deployment format, with what the engine's
// projection costs. With --out the file is written and the report goes to stdout; without it the file content goes to
// stdout and the report to stderr, so `export ... > file` works.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/error.h"
#include "lib/core/output.h"
#include "search/interop/exporter.h"

namespace kvt::app {

namespace {

struct ExportOptions {
  interop::ExportRequest request;
  std::string out_path;
  bool force = false;
};

void run_export(const ExportOptions& opt) {
  if (!opt.out_path.empty()) {  // fail before reading anything
    // A rename over a device or FIFO (--out /dev/null --force) would replace it with a regular file.
    std::error_code ec;
    if (std::filesystem::exists(opt.out_path, ec) && !std::filesystem::is_regular_file(opt.out_path, ec))
      throw InputError("--out " + opt.out_path + ": exists and is not a regular file; omit --out to print to stdout",
                       864);
    check_overwrite(opt.out_path, opt.force);
  }
  interop::ExportContext context = interop::load_export_context(opt.request);
  interop::ExportResult result = interop::run_export(context, opt.request.format, opt.request.engine_dtypes);
  std::string report = interop::format_export_report(context, opt.request.format, result);
  if (opt.out_path.empty()) {
    std::fwrite(result.artifact.data(), 1, result.artifact.size(), stdout);
    std::fwrite(report.data(), 1, report.size(), stderr);
    return;
  }
  write_file_atomic(opt.out_path, result.artifact, opt.force);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::printf("\nwrote %s\n", opt.out_path.c_str());
}

}  // namespace

void register_export(CLI::App& app) {
  auto opt = std::make_shared<ExportOptions>();
  auto* cmd =
      app.add_subcommand("export", "Write a config for a deployment engine and report what its projection loses");
  cmd->add_option("--config", opt->request.config_path, "Config: KVTuner YAML (per-layer or per-head) or kvtuner JSON")
      ->required();
  std::string formats;
  for (const auto& f : interop::export_formats()) formats += (formats.empty() ? "" : ", ") + f;
  cmd->add_option("--to", opt->request.format, "Output format: " + formats)->required();
  cmd->add_option("--model", opt->request.model_dir, "Model directory: checks the layer count, gives head_dim");
  cmd->add_option("--sensitivity", opt->request.sensitivity_path,
                  "Sensitivity table (profile JSON): proxy error of the searched and projected configs");
  cmd->add_option("--engine-dtypes", opt->request.engine_dtypes,
                  "Restrict the engine's KV-cache dtypes, e.g. fp8 (no FP4 hardware)")
      ->delimiter(',');
  cmd->add_option("--kv-memory", opt->request.kv_memory,
                  "KV-cache memory, e.g. 16GiB or 80GB: report bytes per token and the tokens of context that fit "
                  "(needs --model or --sensitivity for the KV heads)");
  cmd->add_option("--out", opt->out_path, "Output file (default: stdout, report on stderr)");
  cmd->add_flag("--force", opt->force, "Overwrite --out if it exists");
  cmd->callback([opt] { run_export(*opt); });
}

}  // namespace kvt::app
