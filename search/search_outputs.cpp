#include "search/search_outputs.h"

#include <filesystem>
#include <optional>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "search/checkpoint.h"
#include "search/writers/config_yaml.h"
#include "search/writers/front_csv.h"
#include "search/writers/heatmap_svg.h"
#include "search/writers/pareto_svg.h"
#include "search/writers/report_md.h"
#include "search/writers/search_summary_json.h"

namespace fs = std::filesystem;

namespace kvt::search {

namespace {

const char* const kFixedFiles[] = {"front.csv", "pareto.svg", "sensitivity.svg", "report.md", "search.json"};

std::string in_dir(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

}  // namespace

std::vector<std::string> planned_output_files(const SensitivityTable& table, const SearchOptions& options) {
  std::vector<std::string> files =
      possible_config_file_names(table, options.budgets, options.configs_per_budget, options.model_name);
  for (const char* name : kFixedFiles) files.push_back(name);
  return files;
}

void write_search_outputs(const SearchResult& r, const SearchOptions& options, const std::string& out_dir) {
  ensure_directory(out_dir);
  for (const auto& name : planned_output_files(r.table, options)) check_overwrite(in_dir(out_dir, name), options.force);
  for (const auto& s : r.selected)
    write_file_atomic(in_dir(out_dir, s.file_name), selected_config_yaml(r, s), options.force);
  write_file_atomic(in_dir(out_dir, "front.csv"), front_csv(r), options.force);
  write_file_atomic(in_dir(out_dir, "pareto.svg"), pareto_front_svg(r), options.force);
  write_file_atomic(in_dir(out_dir, "sensitivity.svg"), sensitivity_heatmap_svg(r.table), options.force);
  write_file_atomic(in_dir(out_dir, "search.json"), search_summary_json(r).dump(1) + "\n", options.force);
  write_file_atomic(in_dir(out_dir, "report.md"), search_report_markdown(r), options.force);
}

SearchResult run_search_in_dir(const SensitivityTable& table, const SearchOptions& options, const std::string& out_dir,
                               SearchHooks hooks) {
  options.validate();
  table.validate("sensitivity table");
  // Fail before the search, not after it.
  ensure_directory(out_dir);
  for (const auto& name : planned_output_files(table, options)) check_overwrite(in_dir(out_dir, name), options.force);

  const std::string checkpoint_path = in_dir(out_dir, kCheckpointFileName);
  std::optional<Nsga2State> resume;
  if (options.method == SearchMethod::Nsga2 && fs::exists(checkpoint_path)) {
    const SensitivityTable selected = table_for_search(table, options);
    std::string fingerprint = search_fingerprint(selected, options, objective_name_of(selected, hooks));
    std::optional<Nsga2State> state;
    try {
      state = read_nsga2_checkpoint(checkpoint_path);
    } catch (const InputError& e) {
      if (!options.force) throw;
      log_warning(checkpoint_path + ": not a usable checkpoint (" + e.what() + "); starting over (--force)");
    }
    bool fits = state && state->fingerprint == fingerprint && state->generation <= options.nsga2.generations;
    if (fits) {
      log_info("resuming NSGA-II from " + checkpoint_path + " at generation " + std::to_string(state->generation));
      resume = std::move(state);
    } else if (options.force) {
      if (state) log_warning(checkpoint_path + ": belongs to another search (or is past --generations); starting over");
    } else {
      throw InputError(checkpoint_path + ": checkpoint of a different search (other table or options, or generation " +
                           std::to_string(state->generation) + " > --generations " +
                           std::to_string(options.nsga2.generations) + "); pass --force to start over",
                       655);
    }
  }
  hooks.resume = resume ? &*resume : nullptr;
  hooks.on_checkpoint = [&](const Nsga2State& state) {
    write_file_atomic(checkpoint_path, to_json(state).dump() + "\n", true);  // resume state: always replaced
  };
  SearchResult result;
  try {
    result = run_search(table, options, hooks);
  } catch (const InputError& e) {
    // The checkpoint's contents do not fit this problem (652) or its recorded objective values are not what its
    // genes give (656): name the file; --force starts over.
    if (!resume || (e.id() != 652 && e.id() != 656)) throw;
    const std::string what = e.what(), message = what.substr(what.find("] ") + 2);
    if (!options.force) throw InputError(checkpoint_path + ": " + message, e.id());
    const std::string hint = "; pass --force to start over";
    log_warning(checkpoint_path + ": " + message.substr(0, message.rfind(hint)) + "; starting over (--force)");
    hooks.resume = nullptr;
    result = run_search(table, options, hooks);
  }
  write_search_outputs(result, options, out_dir);
  return result;
}

}  // namespace kvt::search
