// kvtuner-search search --sensitivity FILE [search options] --out DIR [--force]:
// prune, group, search and select on an existing sensitivity table, so budgets and search options can change
// without profiling again. Rerunning an interrupted command resumes NSGA-II from the checkpoint in DIR.
// With --objective e2e-kl --model DIR [--calib ...], a second NSGA-II on the end-to-end KL of the calibration
// prompts follows (apps/kvtuner-search/e2e_search.h) and writes DIR/e2e/.
#include <cstdio>
#include <memory>
#include <optional>

#include "apps/kvtuner-search/calib_options.h"
#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/compute_options.h"
#include "apps/kvtuner-search/e2e_search.h"
#include "apps/kvtuner-search/search_cli_options.h"
#include "calibration/profiler/table_compat.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/sensitivity_table.h"
#include "lib/quant/streaming_quantizer.h"
#include "lib/tokenizer/tokenizer.h"
#include "search/search_outputs.h"
#include "search/writers/text_format.h"

namespace kvt::app {

namespace {

struct SearchCommand {
  std::string sensitivity_path;
  std::string out_dir;
  search::SearchOptions options;
  E2eSettings e2e;
  std::string model_dir;
  ForwardSetting forward;
  calib::CalibOptions calib;
};

// The end-to-end search on the table's model, scheme, prefill mode and prompt length.
void run_e2e_after(const SearchCommand& cmd, const SensitivityTable& table, const search::SearchResult& proxy) {
  model::Model model = model::Model::open(cmd.model_dir);
  profile::check_table_compatible(table, model.hash(), profile::table_scheme(table, cmd.sensitivity_path),
                                  cmd.sensitivity_path);
  std::optional<tok::Tokenizer> tokenizer;
  if (cmd.calib.ids_path.empty()) tokenizer.emplace(tok::Tokenizer::load(model.directory()));
  calib::CalibrationSet set = calib::load_prompts(cmd.calib, tokenizer ? &*tokenizer : nullptr,
                                                  model.config().max_position_embeddings, model.config().vocab_size);
  eval::EvalOptions options;
  options.scheme = profile::table_scheme(table, cmd.sensitivity_path);
  options.prefill = quant::parse_prefill_mode(table.prefill_mode);
  const auto prompt_len = table.scheme_params.find("prompt_len");
  if (prompt_len != table.scheme_params.end() && prompt_len->is_string())
    options.prompt_length = quant::parse_prompt_length(prompt_len->get<std::string>());
  options.forward = cmd.forward.value;
  E2eSearch e2e = run_e2e_search(model, set.prompts, table, cmd.options, proxy, options, cmd.e2e, cmd.out_dir + "/e2e");
  for (const auto& s : e2e.result.selected)
    std::printf("%s  end-to-end KL %s\n", (cmd.out_dir + "/e2e/" + s.file_name).c_str(),
                search::format_significant(s.point.error, 4).c_str());
}

void run_search_command(const SearchCommand& cmd) {
  cmd.options.validate();  // before reading anything large
  validate(cmd.e2e);
  if (cmd.e2e.enabled() && cmd.model_dir.empty())
    throw InputError("--objective e2e-kl needs --model DIR (the model the table was profiled on)", 979);
  if (cmd.e2e.enabled()) calib::validate(cmd.calib);
  SensitivityTable table = read_sensitivity_table(cmd.sensitivity_path);
  profile::check_table_scheme(table, cmd.sensitivity_path);  // the search copies the scheme into every config
  log_info("search: " + std::to_string(table.num_layers) + " layers, " + std::to_string(table.pairs.size()) +
           " pairs, scheme " + table.scheme + ", proxy " + search::table_for_search(table, cmd.options).proxy);
  search::SearchHooks hooks;
  Progress progress("NSGA-II generations", static_cast<size_t>(cmd.options.nsga2.generations));
  hooks.on_generation = [&progress](int done, int) { progress.update(static_cast<size_t>(done)); };
  search::SearchResult r = search::run_search_in_dir(table, cmd.options, cmd.out_dir, hooks);
  progress.finish();

  std::printf("%zu groups, searched front %zu points", r.groups.groups.size(), r.searched_front.size());
  if (r.hypervolume)
    std::printf(", hypervolume ratio to the exact front %s", search::format_fixed(r.hypervolume->ratio, 4).c_str());
  std::printf("\n");
  for (const auto& s : r.selected) {
    search::ConfigScore score = search::score_config(r.table, s.point.layer_pairs);
    std::printf("%s  %s bits  proxy error %s\n", (cmd.out_dir + "/" + s.file_name).c_str(),
                search::format_fixed(score.nominal_bits, 4).c_str(),
                search::format_significant(score.proxy_error, 4).c_str());
  }
  for (double budget : cmd.options.budgets) {
    bool found = false;
    for (const auto& s : r.selected) found = found || (s.role == "budget" && s.budget_bits == budget);
    if (!found) log_warning("no config fits the " + search::format_budget(budget) + "-bit budget");
  }
  std::printf("report: %s/report.md\n", cmd.out_dir.c_str());
  if (cmd.e2e.enabled()) run_e2e_after(cmd, table, r);
}

}  // namespace

void register_search(CLI::App& app) {
  auto cmd = std::make_shared<SearchCommand>();
  auto* sub =
      app.add_subcommand("search", "Prune, group, search and select configs from an existing sensitivity table");
  sub->add_option("--sensitivity", cmd->sensitivity_path, "Sensitivity table (JSON) written by the profiler")
      ->required();
  sub->add_option("--out", cmd->out_dir, "Output directory (configs, front.csv, pareto.svg, report.md, ...)")
      ->required();
  sub->add_flag("--force", cmd->options.force, "Overwrite existing results; restart a checkpoint of another search");
  add_search_options(sub, cmd->options);
  const std::string e2e_group = "End-to-end objective";
  add_e2e_options(sub, cmd->e2e);
  sub->add_option("--model", cmd->model_dir, "--objective e2e-kl: the model the table was profiled on")
      ->group(e2e_group);
  add_calib_options(sub, cmd->calib);
  add_forward_options(sub, cmd->forward, "--objective e2e-kl: ");
  sub->callback([cmd] { run_search_command(*cmd); });
}

}  // namespace kvt::app
