// kvtuner-search search --sensitivity FILE [search options] --out DIR [--force]:
// prune, group, search and select on an existing sensitivity table, so budgets and search options can change
// without profiling again. Rerunning an interrupted command resumes NSGA-II from the checkpoint in DIR.
#include <cstdio>
#include <memory>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/log.h"
#include "lib/core/sensitivity_table.h"
#include "search/search_cli.h"
#include "search/search_outputs.h"
#include "search/writers/text_format.h"

namespace kvt::app {

namespace {

struct SearchCommand {
  std::string sensitivity_path;
  std::string out_dir;
  search::SearchOptions options;
};

void run_search_command(const SearchCommand& cmd) {
  cmd.options.validate();  // before reading anything large
  SensitivityTable table = read_sensitivity_table(cmd.sensitivity_path);
  log_info("search: " + std::to_string(table.num_layers) + " layers, " + std::to_string(table.pairs.size()) +
           " pairs, scheme " + table.scheme);
  search::SearchHooks hooks;
  Progress progress("NSGA-II generations", static_cast<size_t>(cmd.options.nsga2.generations));
  hooks.on_generation = [&progress](int done, int) { progress.update(static_cast<size_t>(done)); };
  search::SearchResult r = search::run_search_in_dir(table, cmd.options, cmd.out_dir, hooks);
  progress.finish();

  std::printf("%zu groups, searched front %zu points", r.groups.groups.size(), r.searched_front.size());
  if (r.hypervolume) std::printf(", hypervolume ratio to the exact front %s", search::format_fixed(r.hypervolume->ratio, 4).c_str());
  std::printf("\n");
  for (const auto& s : r.selected) {
    search::ConfigScore score = search::score_config(r.table, s.point.layer_pairs);
    std::printf("%s  %s bits  proxy error %s\n", (cmd.out_dir + "/" + s.file_name).c_str(),
                search::format_fixed(score.nominal_bits, 4).c_str(), search::format_fixed(score.proxy_error, 4).c_str());
  }
  for (double budget : cmd.options.budgets) {
    bool found = false;
    for (const auto& s : r.selected) found = found || (s.role == "budget" && s.budget_bits == budget);
    if (!found) log_warning("no config fits the " + search::format_budget(budget) + "-bit budget");
  }
  std::printf("report: %s/report.md\n", cmd.out_dir.c_str());
}

}  // namespace

void register_search(CLI::App& app) {
  auto cmd = std::make_shared<SearchCommand>();
  auto* sub = app.add_subcommand("search", "Prune, group, search and select configs from an existing sensitivity table");
  sub->add_option("--sensitivity", cmd->sensitivity_path, "Sensitivity table (JSON) written by the profiler")
      ->required();
  sub->add_option("--out", cmd->out_dir, "Output directory (configs, front.csv, pareto.svg, report.md, ...)")->required();
  sub->add_flag("--force", cmd->options.force, "Overwrite existing results; restart a checkpoint of another search");
  search::add_search_options(sub, cmd->options);
  sub->callback([cmd] { run_search_command(*cmd); });
}

}  // namespace kvt::app
