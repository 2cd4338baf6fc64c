// kvtuner-search run [--model DIR] [--calib PATH | --ids FILE] [--heldout PATH | --heldout-ids FILE]
//   [--scheme ..] [--budgets 4,6] [search options] [--rescore-metric kl|ppl] --out DIR [--force]
// The whole pipeline in one command: profile → prune, group, search on the proxy → re-score the proxy's best
// configs per budget end to end on a validation split → final pick per budget → test-split evaluation
// against full precision and uniform baselines. DIR/report.md explains the result; see docs/validation.md.
// Without --model it uses the bundled demo model (data/models/<name>) and calibration set.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "apps/kvtuner-search/calib_options.h"
#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/compute_threads.h"
#include "apps/kvtuner-search/e2e_search.h"
#include "apps/kvtuner-search/eval_inputs.h"
#include "apps/kvtuner-search/proxy_options.h"
#include "apps/kvtuner-search/run_outputs.h"
#include "apps/kvtuner-search/run_report.h"
#include "apps/kvtuner-search/search_cli_options.h"
#include "calibration/profiler/layer_kl.h"
#include "calibration/profiler/profiler.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/core/output_dir.h"
#include "lib/eval/data_overlap.h"
#include "lib/eval/evaluator.h"
#include "lib/eval/two_stage.h"
#include "lib/quant/scheme_registry.h"
#include "lib/tokenizer/tokenizer.h"
#include "search/checkpoint.h"
#include "search/objectives.h"
#include "search/search_outputs.h"
#include "search/selection.h"
#include "search/writers/config_yaml.h"
#include "search/writers/heatmap_svg.h"

namespace fs = std::filesystem;

namespace kvt::app {

namespace {

struct RunCommand {
  std::string model_dir, out_dir, rescore_metric_text = "kl";
  eval::RescoreMetric rescore_metric = eval::RescoreMetric::KL;
  PairsSetting pairs;
  E2eSettings e2e;  // --objective, --trials, --e2e-tokens
  calib::CalibOptions calib;
  HeldoutOptions heldout;
  EvalSettings settings;
  search::SearchOptions search;
  profile::ProfileOptions measures;  // --proxy-budget, --kl-tokens
  bool force = false;
};

std::string path_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

// The bundled demo model: the first data/models/<name> holding a config.json, in name order.
std::string default_model_dir() {
  const fs::path root = fs::path(KVT_DATA_DIR) / "models";
  std::vector<std::string> dirs;
  if (fs::is_directory(root))
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / "config.json")) dirs.push_back(e.path().string());
  if (dirs.empty())
    throw InputError("--model: no bundled demo model under " + root.string() + "; pass --model DIR", 980);
  std::sort(dirs.begin(), dirs.end());
  return dirs.front();
}

// Every file a run with these options may write, relative to --out: the profile, the proxy search (and the end-to-end
// search), the validation and evaluation files, the final pick per budget and report.md. Not the checkpoints: one
// that exists is resumed or refused by search::run_search_in_dir.
std::vector<std::string> planned_run_files(const RunCommand& cmd, const std::string& model_name,
                                           const std::string& scheme) {
  std::vector<std::string> files = {"report.md",
                                    kRunProfileFile,
                                    "profile/sensitivity.csv",
                                    "profile/sensitivity.svg",
                                    "validation/rescore.md",
                                    "validation/rescore.json"};
  for (const auto& f : evaluation_files("evaluation")) files.push_back(f);
  SensitivityTable names;  // what the search's file names depend on
  names.model_name = model_name;
  names.scheme = scheme;
  for (const auto& f : search::planned_output_files(names, cmd.search)) files.push_back("search/" + f);
  if (cmd.e2e.enabled()) {
    for (const auto& f : search::planned_output_files(names, cmd.search)) files.push_back("search-e2e/" + f);
  }
  const std::string stem = search::file_stem(cmd.search.model_name.empty() ? model_name : cmd.search.model_name);
  for (double b : cmd.search.budgets)
    files.push_back(stem + "_" + search::scheme_tag(scheme) + "_KVTuner" + search::format_budget(b) + ".yaml");
  return files;
}

// The directory's base name, as the profiler names the model (SensitivityTable::model_name).
std::string model_base_name(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const auto slash = dir.find_last_of('/');
  return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

// Everything besides the model and the calibration data that the profile depends on (run_outputs.h).
nlohmann::ordered_json profile_settings(const profile::ProfileOptions& p, const std::string& model_name,
                                        const std::string& model_hash, const std::string& calib_hash,
                                        const RunCommand& cmd) {
  nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
  for (const auto& pair : p.pairs) pairs.push_back(pair.name());
  return {{"kvtuner_version", KVT_VERSION},
          {"model_name", model_name},
          {"model_hash", model_hash},
          {"calib_hash", calib_hash},
          {"scheme", p.scheme.name},
          {"scheme_params", nlohmann::ordered_json::parse(quant::scheme_params_json(p.scheme).dump())},
          {"prefill_mode", quant::prefill_mode_name(p.prefill)},
          {"pairs", pairs},
          {"prompt_len", p.prompt_length.option_text()},
          {"proxy", p.proxy},
          {"proxy_budget_minutes", p.proxy_budget_minutes},
          {"kl_tokens", p.kl_tokens},
          {"batch_tokens", p.batch_tokens},
          {"seed", p.seed},
          {"dtype", cmd.settings.forward.dtype},
          {"threads", compute_threads()},
          {"device", cmd.settings.forward.device}};
}

// Σ_l layer KL of a config's pairs, when the table has the layer KL.
std::optional<double> predicted_kl(const SensitivityTable& table, const std::vector<int>& layer_pairs) {
  if (table.kl.empty()) return std::nullopt;
  double sum = 0;
  for (size_t l = 0; l < layer_pairs.size(); ++l) sum += table.kl[l][size_t(layer_pairs[l])];
  return sum;
}

// The search's top configs per budget (role "budget"), one candidate per distinct config, then every uniform
// config (one pair in all layers, 16/16 excepted) within a budget, which competes with them.
// `objective` scores the uniform configs when the search did not use the additive proxy.
std::vector<eval::ProxyCandidate> proxy_candidates(const search::SearchResult& r,
                                                   const search::ErrorObjective& objective = nullptr) {
  std::vector<eval::ProxyCandidate> out;
  std::vector<std::vector<int>> seen;
  for (const auto& s : r.selected) {
    if (s.role != "budget") continue;
    auto it = std::find(seen.begin(), seen.end(), s.point.layer_pairs);
    if (it == seen.end()) {
      eval::ProxyCandidate c;
      c.name = fs::path(s.file_name).stem().string();
      c.config = search::to_kv_config(r, s.point, {{"role", "candidate"}});
      c.proxy_error = s.point.error;
      c.nominal_bits = search::score_config(r.table, s.point.layer_pairs).nominal_bits;
      c.predicted_kl = predicted_kl(r.table, s.point.layer_pairs);
      out.push_back(c);
      seen.push_back(s.point.layer_pairs);
      it = seen.end() - 1;
    }
    eval::ProxyCandidate& c = out[size_t(it - seen.begin())];
    c.budgets.push_back(s.budget_bits);
    c.proxy_ranks.push_back(s.rank);
  }
  for (size_t p = 0; p < r.table.pairs.size(); ++p) {
    if (r.table.pairs[p].is_full_precision()) continue;
    search::FrontPoint point;
    point.layer_pairs.assign(size_t(r.table.num_layers), int(p));
    const search::ConfigScore score = search::score_config(r.table, point.layer_pairs);
    point.memory = search::memory_of(score, r.options.memory);
    point.error = objective ? objective(std::vector<PrecisionPair>(size_t(r.table.num_layers), r.table.pairs[p]))
                            : score.proxy_error;
    eval::ProxyCandidate c;
    c.name = "uniform_" + r.table.pairs[p].name();
    c.uniform = true;
    c.config = search::to_kv_config(r, point, {{"role", "uniform candidate"}});
    c.proxy_error = point.error;
    c.nominal_bits = score.nominal_bits;
    c.predicted_kl = predicted_kl(r.table, point.layer_pairs);
    for (double b : r.options.budgets)
      if (search::within_budget(point.memory, search::budget_in_measure(r.table, b, r.options.memory))) {
        c.budgets.push_back(b);
        c.proxy_ranks.push_back(1000 + int(p));  // after every searched config
      }
    if (!c.budgets.empty()) out.push_back(c);
  }
  return out;
}

void run_pipeline(RunCommand cmd) {
  // Everything cheap first: options (all of them), then the output directory, then data; computing comes last.
  validate_eval_settings(cmd.settings);
  calib::validate(cmd.calib);
  calib::validate(cmd.heldout.selection);
  cmd.search.force = cmd.force;
  cmd.search.validate();
  const eval::RescoreMetric metric = cmd.rescore_metric;
  validate(cmd.e2e);
  if (cmd.search.configs_per_budget < 1)
    throw InputError("--per-budget must be >= 1 (configs re-scored per budget)", 979);
  profile::ProfileOptions popts = cmd.measures;
  popts.scheme = cmd.settings.scheme.value.value_or(quant::lookup_scheme(quant::kDefaultSchemeName));
  if (cmd.pairs.value) popts.pairs = *cmd.pairs.value;  // `--pairs ""` was refused as it was parsed (input.103)
  popts.prefill = cmd.settings.prefill.value.value_or(quant::PrefillMode::FullPrecision);
  const quant::PromptLength prompt = cmd.settings.prompt_length.value;
  popts.prompt_length = prompt;
  popts.forward = cmd.settings.forward.value;
  popts.proxy = cmd.search.proxy.empty() ? "auto" : cmd.search.proxy;
  popts.seed = cmd.search.nsga2.seed;
  popts.batch_tokens = cmd.settings.batch_tokens;
  // A budget below the smallest candidate pair's bits fits no config in any memory measure (effective bits and
  // bytes only add scales and residuals to the nominal bits).
  double fewest_bits = 16;
  std::string fewest = "KV16";
  for (const auto& p : popts.pairs)
    if (p.mean_bits() < fewest_bits) fewest_bits = p.mean_bits(), fewest = p.name();
  for (double b : cmd.search.budgets)
    if (b < fewest_bits)
      throw InputError("--budgets: " + search::format_budget(b) + " bits is below the smallest candidate pair (" +
                           fewest + ", " + search::format_budget(fewest_bits) + " bits); no config fits it",
                       661);
  if (cmd.model_dir.empty()) cmd.model_dir = default_model_dir();

  // The output directory: locked for the whole run; every file this run may write checked before any work.
  OutputDirLock lock(cmd.out_dir);
  for (const auto& f : remove_stale_temp_files(cmd.out_dir))
    log_info(f + ": removed (the temporary file of a killed run)");
  std::optional<RunManifest> previous;
  try {
    previous = read_run_manifest(cmd.out_dir);
  } catch (const InputError& e) {
    if (!cmd.force) throw;
    log_warning(std::string(e.what()) + " — ignored under --force; only the files this run writes are replaced");
  }
  const std::vector<std::string> planned = planned_run_files(cmd, model_base_name(cmd.model_dir), popts.scheme.name);
  check_run_outputs(cmd.out_dir, planned, previous, cmd.force);

  model::Model model = model::Model::open(cmd.model_dir);
  const model::ModelConfig& mc = model.config();
  std::optional<tok::Tokenizer> tokenizer;
  if (cmd.calib.ids_path.empty()) tokenizer.emplace(tok::Tokenizer::load(model.directory()));
  calib::CalibrationSet calibration =
      calib::load_prompts(cmd.calib, tokenizer ? &*tokenizer : nullptr, mc.max_position_embeddings, mc.vocab_size);
  calib::CalibrationSet heldout = load_heldout(cmd.heldout, model);
  if (heldout.prompts.size() < 2)
    throw InputError(heldout.source + ": the held-out data gives " + std::to_string(heldout.prompts.size()) +
                         " sequence(s); run needs at least 2 (validation and test splits)",
                     977);
  std::vector<std::vector<int64_t>> validation, test;  // even / odd held-out sequences
  for (size_t i = 0; i < heldout.prompts.size(); ++i) (i % 2 ? test : validation).push_back(heldout.prompts[i]);
  profile::validate_profile_options(mc, calibration.prompts, popts);

  // A killed run's profile is reused when it matches this run (run_outputs.h); its search resumes from the checkpoint.
  const nlohmann::ordered_json settings =
      profile_settings(popts, model_base_name(model.directory()), model.hash(), calibration.hash, cmd);
  const std::string profile_dir = path_in(cmd.out_dir, "profile");
  const std::string profile_path = path_in(cmd.out_dir, kRunProfileFile);
  std::optional<SensitivityTable> reused;
  if (!cmd.force && previous && !previous->complete && previous->files.count(kRunProfileFile) &&
      fs::exists(profile_path)) {
    SensitivityTable found = read_sensitivity_table(profile_path);
    const nlohmann::ordered_json recorded =
        previous->settings.contains("profile") ? previous->settings["profile"] : nlohmann::ordered_json();
    if (auto mismatch = profile_mismatch(found, recorded, settings))
      throw InputError(profile_path + ": the profile of the unfinished run in " + cmd.out_dir +
                           " does not match this run: " + *mismatch + "; pass --force to start over",
                       983);
    reused = std::move(found);
  }
  // Take over: the previous run's files go, except a reused profile and its checkpoints.
  const std::set<std::string> keep = reused ? reusable_run_files() : std::set<std::string>();
  RunManifest manifest;
  manifest.settings["command"] = "run";
  manifest.settings["profile"] = settings;
  if (previous) {
    for (const auto& f : remove_manifest_files(cmd.out_dir, *previous, keep))
      log_info(path_in(cmd.out_dir, f) + ": removed (an output of the previous run)");
    for (const auto& f : keep)
      if (previous->files.count(f) && fs::exists(path_in(cmd.out_dir, f))) manifest.files.insert(f);
  }
  ManifestRecorder recorder(cmd.out_dir, manifest);

  eval::WindowOverlap overlap = eval::window_overlap(calibration.prompts, heldout.prompts, 16);
  if (overlap.shared > 0)
    log_warning(std::to_string(overlap.shared) + " of " + std::to_string(overlap.windows) +
                " 16-token windows of the held-out data also occur in the calibration set");

  // Stage 0: profile (or the unfinished run's).
  SensitivityTable table;
  if (reused) {
    log_info("run: reusing the profile of the unfinished run in " + profile_path);
    table = std::move(*reused);
  } else {
    log_info("run: profiling " + std::to_string(calibration.prompts.size()) + " calibration prompts from " +
             calibration.source);
    table = profile::profile_model(model, calibration.prompts, calibration.hash, popts);
    write_file_atomic(profile_path, to_json(table).dump(2) + "\n", cmd.force);
  }
  ensure_directory(profile_dir);
  // Files of the unfinished run that this run replaces are its own (kept above), hence `true` when reusing.
  const bool replace = cmd.force || reused.has_value();
  write_file_atomic(path_in(profile_dir, "sensitivity.csv"), to_csv(table), replace);
  write_file_atomic(path_in(profile_dir, "sensitivity.svg"), search::sensitivity_heatmap_svg(table), replace);

  eval::EvalOptions options;  // end-to-end scoring with the profile's scheme and prefill mode
  options.scheme = popts.scheme;
  options.prefill = popts.prefill;
  options.prompt_length = prompt;
  options.forward = popts.forward;
  options.batch_tokens = cmd.settings.batch_tokens;

  // Stage 1: proxy search; its top configs per budget are the candidates.
  search::SearchHooks hooks;
  Progress progress("NSGA-II generations", size_t(cmd.search.nsga2.generations));
  hooks.on_generation = [&progress](int done, int) { progress.update(size_t(done)); };
  search::SearchResult searched = search::run_search_in_dir(table, cmd.search, path_in(cmd.out_dir, "search"), hooks);
  progress.finish();
  std::vector<eval::ProxyCandidate> candidates = proxy_candidates(searched);

  // Stage 1b (--objective e2e-kl): NSGA-II on the end-to-end KL of the leading calibration prompts; its top configs
  // per budget replace the proxy's as candidates.
  std::optional<E2eSearch> e2e;
  if (cmd.e2e.enabled()) {
    e2e = run_e2e_search(model, calibration.prompts, table, cmd.search, searched, options, cmd.e2e,
                         path_in(cmd.out_dir, "search-e2e"));
    candidates =
        proxy_candidates(e2e->result, [&](const std::vector<PrecisionPair>& pairs) { return e2e->error(pairs); });
  }

  // Stage 2: end-to-end re-scoring on the validation split.
  log_info("run: re-scoring " + std::to_string(candidates.size()) + " configs on " + std::to_string(validation.size()) +
           " validation sequences");
  eval::TwoStageResult two_stage = eval::rescore_candidates(model, validation, candidates, options, metric);
  ensure_directory(path_in(cmd.out_dir, "validation"));
  write_file_atomic(path_in(cmd.out_dir, "validation/rescore.md"),
                    "# End-to-end re-scoring of the proxy's best configs (validation split)\n\n" +
                        eval::two_stage_markdown(two_stage, candidates),
                    cmd.force);
  write_file_atomic(path_in(cmd.out_dir, "validation/rescore.json"),
                    eval::two_stage_json(two_stage, candidates).dump(2) + "\n", cmd.force);

  // Final picks: deployable YAML at the top of the output directory.
  RunSummary summary;
  const std::string model_name = cmd.search.model_name.empty() ? table.model_name : cmd.search.model_name;
  std::vector<eval::EvalConfig> test_configs;
  for (const auto& o : two_stage.budgets) {
    FinalPick f;
    f.budget = o.budget;
    f.candidate = o.final_pick;
    f.file = search::file_stem(model_name) + "_" + search::scheme_tag(table.scheme) + "_KVTuner" +
             search::format_budget(o.budget) + ".yaml";
    const std::string search_dir = e2e ? "search-e2e/" : "search/";
    f.proxy_pick_file = search_dir + candidates[o.proxy_pick].name + ".yaml";
    f.same_as_proxy_pick = o.final_pick == o.proxy_pick;
    KvConfig config = candidates[o.final_pick].config;
    int rank = -1;
    for (size_t b = 0; b < candidates[o.final_pick].budgets.size(); ++b)
      if (candidates[o.final_pick].budgets[b] == o.budget) rank = candidates[o.final_pick].proxy_ranks[b];
    const bool uniform = candidates[o.final_pick].uniform;
    config.metadata["selection"] = {
        {"role", "final"},
        {"budget_bits", o.budget},
        {"proxy_rank", uniform ? nlohmann::json() : nlohmann::json(rank)},
        {"uniform", uniform},
        {"chosen_by", "validation " + eval::rescore_metric_name(metric)},
        {"validation_score", two_stage.end_to_end[o.final_pick]},
        {"search_config",
         uniform ? nlohmann::json() : nlohmann::json(search_dir + candidates[o.final_pick].name + ".yaml")}};
    write_file_atomic(path_in(cmd.out_dir, f.file), to_kvtuner_yaml(config, true), cmd.force);
    test_configs.push_back({fs::path(f.file).stem().string(), uniform ? "baseline" : "searched", f.file, config});
    if (!f.same_as_proxy_pick)
      test_configs.push_back(
          {candidates[o.proxy_pick].name, "searched", f.proxy_pick_file, candidates[o.proxy_pick].config});
    summary.finals.push_back(f);
  }
  for (double b : cmd.search.budgets) {
    bool found = false;
    for (const auto& o : two_stage.budgets) found = found || o.budget == b;
    if (!found) summary.skipped_budgets.push_back(b);
  }

  // Test split: final picks (and the proxy picks they replaced) against full precision and uniform baselines.
  nlohmann::ordered_json context;
  context["model"] = model.directory();
  context["model_hash"] = model.hash();
  context["held_out_data"] = heldout.source + " (odd sequences: the test split)";
  context["test_hash"] = calib::content_hash(test);
  context["calibration_hash"] = calibration.hash;
  eval::EvaluationReport report = evaluate_with_baselines(model, test, test_configs, cmd.settings, options, context);
  write_evaluation(report, path_in(cmd.out_dir, "evaluation"), cmd.settings.plot, cmd.force, "Test-split evaluation");

  summary.model_dir = model.directory();
  summary.model_hash = model.hash();
  summary.model_name = model_name;
  summary.scheme = table.scheme;
  summary.prefill = table.prefill_mode;
  summary.prompt_length = prompt.describe();
  summary.search_method = search::to_string(cmd.search.method);
  if (e2e)
    summary.search_method += " on the proxy, then NSGA-II on the end-to-end KL of the calibration prompts (at most " +
                             std::to_string(cmd.e2e.trials) + " trials; " + std::to_string(e2e->evaluations) +
                             " distinct configs run; search-e2e/)";
  summary.proxy = searched.table.proxy;
  summary.proxy_reason = searched.table.proxy_reason;
  summary.budgets = cmd.search.budgets;
  summary.calibration = summarize_data(calibration.source, calibration.prompts);
  summary.heldout = summarize_data(heldout.source, heldout.prompts);
  summary.validation = summarize_data("validation split", validation);
  summary.test = summarize_data("test split", test);
  summary.overlap = overlap;
  summary.candidates = candidates;
  summary.two_stage = two_stage;
  summary.test_evaluation = report;
  write_file_atomic(path_in(cmd.out_dir, "report.md"), run_report_markdown(summary), cmd.force);
  recorder.finish();

  for (const auto& f : summary.finals) std::printf("%s\n", path_in(cmd.out_dir, f.file).c_str());
  std::printf("report: %s\n", path_in(cmd.out_dir, "report.md").c_str());
}

}  // namespace

void register_run(CLI::App& app) {
  auto cmd = std::make_shared<RunCommand>();
  cmd->search.configs_per_budget = 4;  // candidates per budget for the end-to-end re-scoring
  auto* sub = app.add_subcommand("run",
                                 "The whole pipeline: profile, search, re-score the best configs end to end, and "
                                 "evaluate the final picks against uniform baselines");
  sub->add_option("--model", cmd->model_dir, "Hugging Face model directory (default: the bundled demo model)");
  add_calib_options(sub, cmd->calib);
  add_pairs_option(sub, cmd->pairs, "Candidate pairs to profile, e.g. KV8,K8V4,KV4 (default: all of {2,4,8}²)");
  add_heldout_options(sub, cmd->heldout, /*deprecated_aliases=*/false);
  add_eval_settings(sub, cmd->settings);
  add_parsed_option(
      sub, "--rescore-metric", cmd->rescore_metric_text,
      [cmd](const std::string& t) { cmd->rescore_metric = eval::parse_rescore_metric(t); },
      "End-to-end score of the re-scoring: kl or ppl", cmd->rescore_metric_text);
  add_e2e_options(sub, cmd->e2e);
  add_search_options(sub, cmd->search);
  add_proxy_measure_options(sub, cmd->measures);
  sub->add_option("--out", cmd->out_dir, "Output directory (report.md at the top)")->required();
  sub->add_flag("--force", cmd->force, "Overwrite existing results; restart a checkpoint of another search");
  sub->callback([cmd] { run_pipeline(*cmd); });
}

}  // namespace kvt::app
