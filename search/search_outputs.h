// Writing a search into one output directory, and the resumable run that goes with it.
// Files: the chosen configs (<model>_<tag>_KVTuner<b>_<i>.yaml, <model>_<tag>_knee.yaml), front.csv,
// pareto.svg, sensitivity.svg, report.md, search.json, and the NSGA-II checkpoint nsga2_checkpoint.json.
// Every file goes through write_file_atomic; existing results are kept unless options.force.
#pragma once
#include <string>
#include <vector>

#include "search/pipeline.h"

namespace kvt::search {

// The result files a search with these options may write (not the checkpoint).
std::vector<std::string> planned_output_files(const SensitivityTable& table, const SearchOptions& options);

// @throws InputError (id 110) when a result file exists and !options.force.
void write_search_outputs(const SearchResult& result, const SearchOptions& options, const std::string& out_dir);

// The whole post-profile command: checks that nothing would be overwritten, resumes from
// out_dir/nsga2_checkpoint.json when it belongs to this search (same fingerprint), saves checkpoints while
// NSGA-II runs, then writes the outputs. hooks.resume/on_checkpoint are set here; the rest is passed through.
// A resumed checkpoint's archive and fitness values are recomputed from its genes and must match.
// @throws InputError 110 (an output exists, !options.force); 654 naming the checkpoint when it is not a valid
// checkpoint, 655 when it belongs to another search, 652 when it does not fit the problem, 656 when a recorded
// objective value differs from what its genes give (the message names the field) — with options.force each of
// these starts over instead; and as run_search.
SearchResult run_search_in_dir(const SensitivityTable& table, const SearchOptions& options, const std::string& out_dir,
                               SearchHooks hooks = {});

}  // namespace kvt::search
