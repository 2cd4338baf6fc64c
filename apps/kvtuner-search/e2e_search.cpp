#include "apps/kvtuner-search/e2e_search.h"

#include <algorithm>

#include "calibration/profiler/layer_kl.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "search/search_outputs.h"

namespace kvt::app {

void add_e2e_options(CLI::App* cmd, E2eSettings& s) {
  cmd->add_option("--objective", s.objective,
                  "Search objective: proxy (the additive layer error of --proxy) or e2e-kl (then also NSGA-II on the "
                  "end-to-end KL of the leading --e2e-tokens calibration tokens, seeded with the proxy's picks and "
                  "the uniform configs)")
      ->capture_default_str();
  cmd->add_option("--trials", s.trials, "--objective e2e-kl: end-to-end evaluations at most")->capture_default_str();
  cmd->add_option("--e2e-tokens", s.tokens,
                  "--objective e2e-kl: tokens of the leading calibration prompts each evaluation scores (one forward)")
      ->capture_default_str();
}

void validate(const E2eSettings& s) {
  if (s.objective != "proxy" && s.objective != "e2e-kl")
    throw InputError("--objective '" + s.objective + "': expected proxy or e2e-kl", 979);
  if (!s.enabled()) return;  // --trials and --e2e-tokens only matter to the end-to-end search
  if (s.trials < 2 * kE2ePopulation || s.trials > 1000000)
    throw InputError("--trials " + std::to_string(s.trials) + ": expected " + std::to_string(2 * kE2ePopulation) +
                         "..1000000 (two NSGA-II generations of " + std::to_string(kE2ePopulation) + ")",
                     979);
  if (s.tokens < 1) throw InputError("--e2e-tokens must be >= 1", 979);
}

double E2eSearch::error(const std::vector<PrecisionPair>& layer_pairs) const {
  KvConfig c;
  c.layers = layer_pairs;
  return scorer->mean_kl(c);
}

E2eSearch run_e2e_search(const model::Model& model, const std::vector<std::vector<int64_t>>& calibration,
                         const SensitivityTable& table, const search::SearchOptions& options,
                         const search::SearchResult& proxy, const eval::EvalOptions& eval_options,
                         const E2eSettings& settings, const std::string& out_dir) {
  E2eSearch out;
  const auto prompts = profile::leading_prompts(calibration, settings.tokens);
  out.scorer = std::make_unique<eval::EndToEndScorer>(model, prompts, eval_options);
  search::SearchOptions eopts = options;
  eopts.method = search::SearchMethod::Nsga2;
  eopts.group.enabled = false;  // one decision per layer: the objective sees every layer's pair
  eopts.nsga2.population = kE2ePopulation;
  eopts.nsga2.generations = settings.trials / kE2ePopulation - 1;  // population × (generations + 1) ≤ trials
  search::SearchHooks hooks;
  hooks.objective_name = "e2e-kl";
  hooks.objective = [&out](const std::vector<PrecisionPair>& pairs) { return out.error(pairs); };
  // Seeds in priority order (the population keeps the first distinct ones): the proxy's best config of every
  // budget, the uniform configs, the proxy's other per-budget picks, then the rest of its front.
  int max_rank = 0;
  for (const auto& sel : proxy.selected) max_rank = std::max(max_rank, sel.rank);
  for (int rank = 0; rank <= max_rank; ++rank) {
    for (const auto& sel : proxy.selected)
      if (sel.role == "budget" && sel.rank == rank) hooks.seeds.push_back(sel.point.layer_pairs);
    if (rank == 0)
      for (size_t p = 0; p < table.pairs.size(); ++p)
        hooks.seeds.push_back(std::vector<int>(size_t(table.num_layers), int(p)));
  }
  for (const auto& point : proxy.searched_front) hooks.seeds.push_back(point.layer_pairs);
  log_info("end-to-end search: at most " + std::to_string(settings.trials) + " configs on " +
           std::to_string(prompts.size()) + " calibration prompts");
  Progress progress("end-to-end NSGA-II generations", size_t(eopts.nsga2.generations));
  hooks.on_generation = [&progress](int done, int) { progress.update(size_t(done)); };
  out.result = search::run_search_in_dir(table, eopts, out_dir, hooks);
  progress.finish();
  out.evaluations = out.scorer->evaluations();
  log_info("end-to-end search: " + std::to_string(out.evaluations) + " distinct configs run");
  return out;
}

}  // namespace kvt::app
