#include "search/writers/search_summary_json.h"

#include <cmath>

#include "search/writers/config_yaml.h"

namespace kvt::search {

namespace {

nlohmann::json pair_names(const SensitivityTable& t, const std::vector<int>& indices) {
  nlohmann::json names = nlohmann::json::array();
  for (int p : indices) names.push_back(t.pairs[p].name());
  return names;
}

nlohmann::json score_json(const ConfigScore& s) {
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  return {{"nominal_bits", s.nominal_bits},
          {"effective_bits", num(s.effective_bits)},
          {"bytes_per_token", num(s.bytes_per_token)},
          {"proxy_error", s.proxy_error}};
}

}  // namespace

nlohmann::json search_summary_json(const SearchResult& r) {
  nlohmann::json j;
  j["format"] = "kvtuner-search-summary";
  j["format_version"] = 1;
  j["model_name"] = r.table.model_name;
  j["model_hash"] = r.table.model_hash;
  j["calib_hash"] = r.table.calib_hash;
  j["scheme"] = r.table.scheme;
  j["num_layers"] = r.table.num_layers;
  j["provenance"] = provenance_json(r);

  nlohmann::json sets = nlohmann::json::array();
  for (const auto& set : r.candidate_sets.per_layer) sets.push_back(pair_names(r.table, set));
  j["candidate_sets"] = sets;
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups.groups)
    groups.push_back({{"layers", g.layers}, {"candidates", pair_names(r.table, g.candidates)}});
  j["groups"] = groups;

  j["fronts"] = {{"searched", r.searched_front.size()},
                 {"exact", r.exact_front.size()},
                 {"exact_per_layer", r.exact_front_per_layer.size()}};
  j["max_memory"] = r.max_memory;
  if (r.hypervolume)
    j["hypervolume"] = {{"searched", r.hypervolume->searched},
                        {"exact", r.hypervolume->reference},
                        {"ratio", r.hypervolume->ratio},
                        {"reference_point", "(1.1, 1.1) after normalizing both objectives by the exact front's range"}};
  nlohmann::json uniform = nlohmann::json::array();
  for (const auto& u : r.uniform)
    uniform.push_back(
        {{"pair", u.pair.name()}, {"memory", u.memory}, {"objective_error", u.error}, {"score", score_json(u.score)}});
  j["uniform"] = uniform;
  nlohmann::json selected = nlohmann::json::array();
  for (const auto& s : r.selected) {
    nlohmann::json e = {{"file", s.file_name},
                        {"role", s.role},
                        {"memory", s.point.memory},
                        {"objective_error", s.point.error},
                        {"score", score_json(score_config(r.table, s.point.layer_pairs))},
                        {"layers", pair_names(r.table, s.point.layer_pairs)}};
    if (s.role == "budget") {
      e["budget_bits"] = s.budget_bits;
      e["rank"] = s.rank;
    }
    selected.push_back(e);
  }
  j["selected"] = selected;
  return j;
}

}  // namespace kvt::search
