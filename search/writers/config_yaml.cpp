#include "search/writers/config_yaml.h"

#include <cmath>

namespace kvt::search {

namespace {
nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
}  // namespace

nlohmann::json provenance_json(const SearchResult& r) {
  const SearchOptions& o = r.options;
  nlohmann::json p;
  p["tool"] = "kvtuner-search";
  p["version"] = KVT_VERSION;
  p["sensitivity_table_hash"] = r.table_hash;
  p["search_fingerprint"] = r.fingerprint;
  p["method"] = to_string(o.method);
  p["memory_measure"] = to_string(o.memory);
  p["budgets_bits"] = o.budgets;
  p["objective"] = r.objective_name;
  if (o.method == SearchMethod::Nsga2)
    p["nsga2"] = {{"population", o.nsga2.population},
                  {"generations", o.nsga2.generations},
                  {"seed", o.nsga2.seed},
                  {"crossover", o.nsga2.crossover},
                  {"mutation", o.nsga2.mutation > 0 ? o.nsga2.mutation : 1.0 / std::max(1, r.nsga2_genes)}};
  p["prune"] = {{"rel_tol", o.prune.rel_tol}, {"abs_tol", o.prune.abs_tol}};
  p["grouping"] = {{"enabled", o.group.enabled},
                   {"eps", o.group.eps},
                   {"min_samples", o.group.min_samples},
                   {"explicit_groups", o.group.explicit_groups},
                   {"num_groups", r.groups.groups.size()}};
  return p;
}

KvConfig to_kv_config(const SearchResult& r, const FrontPoint& point, const nlohmann::json& role) {
  KvConfig config;
  for (int p : point.layer_pairs) config.layers.push_back(r.table.pairs[p]);
  ConfigScore score = score_config(r.table, point.layer_pairs);
  nlohmann::json& m = config.metadata;
  m["scheme"] = r.table.scheme;
  m["scheme_params"] = r.table.scheme_params;
  m["model_name"] = r.table.model_name;
  m["model_hash"] = r.table.model_hash;
  m["calib_hash"] = r.table.calib_hash;
  m["prefill_mode"] = r.table.prefill_mode;
  m["nominal_bits"] = score.nominal_bits;
  m["effective_bits"] = number_or_null(score.effective_bits);
  m["proxy_error"] = score.proxy_error;
  m["objective_error"] = point.error;
  m["selection"] = role;
  m["provenance"] = provenance_json(r);
  return config;
}

std::string selected_config_yaml(const SearchResult& r, const SelectedConfig& s) {
  nlohmann::json role = {{"role", s.role}};
  if (s.role == "budget") {
    role["budget_bits"] = s.budget_bits;
    role["rank"] = s.rank;
  }
  return to_kvtuner_yaml(to_kv_config(r, s.point, role), true);
}

}  // namespace kvt::search
