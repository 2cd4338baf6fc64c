// kvtuner-search evaluate --model DIR --config FILE|DIR [--config ...] [--heldout PATH | --heldout-ids FILE]
//   [--scheme ..] [--prefill fp|quantized] [--prompt-len half|N] [--baselines KV8,K8V4,KV4,K4V2,KV2]
//   [--gen-tokens N] [--out DIR] [--force]
// Runs the model on held-out sequences with each config's quantized KV cache and compares it with full
// precision: perplexity, KL, top-1 agreement, nominal and effective bits, and a greedy generation check.
// Full precision and the uniform baselines are always in the same table. Prints the Markdown table; with
// --out also writes evaluation.md, evaluation.json and evaluation.svg.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/eval_inputs.h"
#include "lib/core/error.h"
#include "lib/core/kv_config.h"
#include "lib/core/log.h"
#include "lib/core/output.h"

namespace fs = std::filesystem;

namespace kvt::app {

namespace {

struct EvaluateCommand {
  std::string model_dir;
  std::vector<std::string> config_paths;
  HeldoutOptions heldout;
  EvalSettings settings;
  std::string out_dir;
  bool force = false;
};

// Config files: each --config is a file, or a directory whose *.yaml / *.yml files are taken in name order.
std::vector<std::string> config_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    if (!fs::is_directory(path)) {
      if (!fs::exists(path)) throw InputError("--config " + path + ": no such file or directory", 976);
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(path)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) found.push_back(entry.path().string());
    }
    if (found.empty()) throw InputError("--config " + path + ": the directory holds no .yaml configs", 976);
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::vector<eval::EvalConfig> read_configs(const std::vector<std::string>& paths, int layers) {
  std::vector<eval::EvalConfig> configs;
  std::set<std::string> names;
  for (const auto& file : config_files(paths)) {
    const std::string name = fs::path(file).stem().string();
    if (!names.insert(name).second)
      throw InputError("--config " + file + ": another config is also named '" + name + "'; rename one of the files",
                       978);
    configs.push_back({name, "searched", file, read_kv_config(file, layers)});
  }
  return configs;
}

// Provenance: the model, the held-out data and what the configs say about their calibration set.
nlohmann::ordered_json evaluation_context(const model::Model& model, const calib::CalibrationSet& data,
                                          const std::vector<eval::EvalConfig>& configs) {
  nlohmann::ordered_json context;
  context["model"] = model.directory();
  context["model_hash"] = model.hash();
  context["held_out_data"] = data.source;
  context["held_out_hash"] = data.hash;
  std::set<std::string> calib_hashes;
  for (const auto& c : configs) {
    const auto& m = c.config.metadata;
    if (m.contains("model_hash") && m["model_hash"].is_string() && m["model_hash"] != model.hash())
      log_warning(c.source + " was searched on another model (model_hash " + m["model_hash"].get<std::string>() + ")");
    if (m.contains("calib_hash") && m["calib_hash"].is_string())
      calib_hashes.insert(m["calib_hash"].get<std::string>());
  }
  if (!calib_hashes.empty()) {
    std::string list;
    for (const auto& h : calib_hashes) list += (list.empty() ? "" : ", ") + h;
    context["calibration_hash"] = list;
    if (calib_hashes.count(data.hash)) {
      log_warning("the held-out data is the calibration set the configs were searched on (hash " + data.hash + ")");
      context["held_out_vs_calibration"] = "SAME token set: these numbers are not held-out results";
    } else {
      context["held_out_vs_calibration"] = "different token sets (hashes differ)";
    }
  }
  return context;
}

void run_evaluate(const EvaluateCommand& cmd) {
  validate_eval_settings(cmd.settings);
  calib::validate(cmd.heldout.selection);
  if (!cmd.out_dir.empty())
    for (const auto& f : evaluation_files(cmd.out_dir)) check_overwrite(f, cmd.force);
  model::Model model = model::Model::open(cmd.model_dir);
  std::vector<eval::EvalConfig> configs = read_configs(cmd.config_paths, model.config().num_layers);
  eval::EvalOptions options = resolve_eval_options(cmd.settings, configs);
  calib::CalibrationSet data = load_heldout(cmd.heldout, model);
  log_info("evaluate: " + std::to_string(configs.size()) + " configs + baselines on " +
           std::to_string(data.prompts.size()) + " held-out sequences from " + data.source);

  eval::EvaluationReport report = evaluate_with_baselines(model, data.prompts, configs, cmd.settings, options,
                                                          evaluation_context(model, data, configs));
  std::fputs(eval::evaluation_markdown(report, "Held-out evaluation").c_str(), stdout);
  if (!cmd.out_dir.empty()) {
    write_evaluation(report, cmd.out_dir, cmd.settings.plot, cmd.force, "Held-out evaluation");
    log_info("wrote " + cmd.out_dir + "/evaluation.{md,json,svg}");
  }
}

}  // namespace

void register_evaluate(CLI::App& app) {
  auto cmd = std::make_shared<EvaluateCommand>();
  auto* sub = app.add_subcommand("evaluate",
                                 "Held-out perplexity, KL, top-1 agreement and generation check of layer-wise configs "
                                 "against full precision and uniform baselines");
  sub->add_option("--model", cmd->model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  sub->add_option("--config", cmd->config_paths,
                  "A config (KVTuner YAML or kvtuner JSON), or a directory of .yaml configs; repeatable")
      ->required();
  add_heldout_options(sub, cmd->heldout, /*deprecated_aliases=*/true);
  add_eval_settings(sub, cmd->settings);
  sub->add_option("--out", cmd->out_dir, "Also write evaluation.md, evaluation.json and evaluation.svg here");
  sub->add_flag("--force", cmd->force, "Overwrite existing outputs");
  sub->callback([cmd] { run_evaluate(*cmd); });
}

}  // namespace kvt::app
