#include "search/pipeline.h"

#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "search/dp_front.h"

namespace kvt::search {

std::string search_fingerprint(const SensitivityTable& table, const SearchOptions& o,
                               const std::string& objective_name) {
  nlohmann::json j;
  j["table"] = fnv1a64_hex(to_json(table).dump());
  j["objective"] = objective_name;
  j["memory"] = to_string(o.memory);
  j["max_budget"] = o.max_budget();
  j["prune"] = {o.prune.rel_tol, o.prune.abs_tol};
  j["group"] = {o.group.enabled, o.group.eps, o.group.min_samples, o.group.explicit_groups};
  j["nsga2"] = {o.nsga2.population, o.nsga2.seed, o.nsga2.crossover, o.nsga2.eta_c, o.nsga2.mutation, o.nsga2.eta_m};
  return fnv1a64_hex(j.dump());
}

SensitivityTable table_for_search(const SensitivityTable& profiled, const SearchOptions& options) {
  SensitivityTable table = profiled;
  if (!options.proxy.empty() && options.proxy != "auto") {  // an explicit choice, even the table's own
    table.select_proxy(options.proxy, "--proxy");
    table.proxy_reason = "--proxy " + options.proxy;
  }
  return table;
}

std::string objective_name_of(const SensitivityTable& table, const SearchHooks& hooks) {
  return hooks.objective ? hooks.objective_name : "proxy-sum-" + proxy_column(table.proxy);
}

SearchResult run_search(const SensitivityTable& profiled, const SearchOptions& options, const SearchHooks& hooks) {
  options.validate();
  profiled.validate("sensitivity table");
  const SensitivityTable table = table_for_search(profiled, options);
  if (options.method == SearchMethod::Exact && hooks.objective)
    throw InputError("--method exact: the DP front needs the additive proxy objective; use --method nsga2", 663);

  SearchResult r;
  r.table = table;
  r.options = options;
  r.proxy_objective = !hooks.objective;
  r.objective_name = objective_name_of(table, hooks);
  r.table_hash = fnv1a64_hex(to_json(table).dump());
  r.fingerprint = search_fingerprint(table, options, r.objective_name);

  std::vector<double> pair_cost = pair_memory_cost(table, options.memory);
  r.candidate_sets = prune_pairs(table, pair_cost, options.prune);
  r.groups = group_layers(table, r.candidate_sets, options.group);
  r.space = build_search_space(table, r.groups, options.memory);
  r.max_memory = budget_in_measure(table, options.max_budget(), options.memory);

  r.exact_front = exact_front(r.space);
  GroupOptions per_layer;
  per_layer.enabled = false;
  r.exact_front_per_layer =
      exact_front(build_search_space(table, group_layers(table, r.candidate_sets, per_layer), options.memory));

  if (options.method == SearchMethod::Exact) {
    r.searched_front = truncate_front(r.exact_front, r.max_memory);
  } else {
    Nsga2Hooks nsga2_hooks;
    nsga2_hooks.resume = hooks.resume;
    nsga2_hooks.seeds = hooks.seeds;
    nsga2_hooks.on_checkpoint = hooks.on_checkpoint;
    nsga2_hooks.on_generation = hooks.on_generation;
    Nsga2Result nsga2 =
        run_nsga2(r.space, table.pairs, options.nsga2, r.max_memory, hooks.objective, r.fingerprint, nsga2_hooks);
    r.searched_front = std::move(nsga2.front);
    r.nsga2_genes = nsga2.num_genes;
    r.resumed_from_generation = nsga2.resumed_from;
  }
  ParetoFront exact_within_bound = truncate_front(r.exact_front, r.max_memory);
  if (r.proxy_objective && !exact_within_bound.empty())
    r.hypervolume = hypervolume_ratio(r.searched_front, exact_within_bound);

  for (const auto& pair : uniform_reference_pairs()) {
    int p = table.pair_index(pair);
    if (p < 0) continue;
    std::vector<int> layer_pairs(static_cast<size_t>(table.num_layers), p);
    UniformBaseline baseline{pair, score_config(table, layer_pairs), 0, 0};
    baseline.memory = memory_of(baseline.score, options.memory);
    if (hooks.objective) {
      baseline.error = hooks.objective(std::vector<PrecisionPair>(static_cast<size_t>(table.num_layers), pair));
    } else {
      baseline.error = baseline.score.proxy_error;
    }
    r.uniform.push_back(baseline);
  }
  r.selected = select_configs(r.searched_front, table, options.memory, options.budgets, options.configs_per_budget,
                              options.model_name);
  return r;
}

}  // namespace kvt::search
