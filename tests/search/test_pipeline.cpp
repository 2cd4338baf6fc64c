// run_search end to end on tables, and the files it writes: YAML round trip, determinism, plot/report content.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/core/error.h"
#include "lib/core/kv_config.h"
#include "search/dp_front.h"
#include "search/search_outputs.h"
#include "search/writers/config_yaml.h"
#include "search/writers/front_csv.h"
#include "search/writers/heatmap_svg.h"
#include "search/writers/pareto_svg.h"
#include "search/writers/report_md.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;
namespace fs = std::filesystem;

namespace {

SearchOptions fast_options() {
  SearchOptions o;
  o.nsga2.population = 24;
  o.nsga2.generations = 30;
  o.nsga2.seed = 11;
  return o;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("Exact method picks the DP optimum within each budget", "[search]") {
  SensitivityTable t = test::synthetic_table(20, 8);
  SearchOptions o = fast_options();
  o.method = SearchMethod::Exact;
  o.group.enabled = false;
  SearchResult r = run_search(t, o);
  ParetoFront within4 = truncate_front(r.exact_front, 4.0);
  REQUIRE(!r.selected.empty());
  CHECK(r.selected[0].file_name == "Synthetic-20L_pertoken_KVTuner4_0.yaml");
  CHECK(r.selected[0].point.error == within4.back().error);
  CHECK(r.hypervolume->ratio == Approx(1.0));
  CHECK(r.exact_front.size() == r.exact_front_per_layer.size());  // ungrouped: the same space
  CHECK(r.uniform.size() == 5);
  CHECK(r.uniform[2].pair.name() == "KV4");
  CHECK(r.uniform[2].score.nominal_bits == 4.0);
}

TEST_CASE("Selected configs round-trip through the KVTuner YAML", "[search]") {
  SensitivityTable t = test::synthetic_table(16, 2);
  SearchResult r = run_search(t, fast_options());
  REQUIRE(r.selected.size() >= 2);
  for (const auto& s : r.selected) {
    std::string yaml = selected_config_yaml(r, s);
    KvConfig back = parse_kv_config_yaml(yaml, s.file_name, 16);
    REQUIRE(back.layers.size() == 16);
    for (size_t l = 0; l < 16; ++l) CHECK(back.layers[l] == t.pairs[s.point.layer_pairs[l]]);
    ConfigScore score = score_config(t, s.point.layer_pairs);
    CHECK(back.nominal_bits() == score.nominal_bits);
    CHECK(back.metadata.at("proxy_error").get<double>() == score.proxy_error);
    CHECK(back.metadata.at("effective_bits").get<double>() == score.effective_bits);
    CHECK(back.metadata.at("provenance").at("nsga2").at("seed") == 11);
    CHECK(back.metadata.at("selection").at("role") == s.role);
    // Without metadata the text is exactly the official layout.
    CHECK(to_kvtuner_yaml(back, false).rfind("0:\n  nbits_key: ", 0) == 0);
  }
}

TEST_CASE("A custom objective drives NSGA-II and is recorded", "[search]") {
  SensitivityTable t = test::synthetic_table(10, 3);
  SearchHooks hooks;
  hooks.objective_name = "double-proxy";
  hooks.objective = [&](const std::vector<PrecisionPair>& config) {
    double e = 0;
    for (size_t l = 0; l < config.size(); ++l) e += 2 * t.e_o[l][t.pair_index(config[l])];
    return e;
  };
  SearchResult r = run_search(t, fast_options(), hooks);
  CHECK_FALSE(r.hypervolume.has_value());
  CHECK(r.objective_name == "double-proxy");
  for (const auto& p : r.searched_front) CHECK(p.error == Approx(2 * score_config(t, p.layer_pairs).proxy_error));
  for (const auto& u : r.uniform) CHECK(u.error == Approx(2 * u.score.proxy_error));
  CHECK(front_csv(r).find("exact,") == std::string::npos);  // the proxy's fronts are not comparable

  SearchOptions exact = fast_options();
  exact.method = SearchMethod::Exact;
  REQUIRE_THROWS_WITH(run_search(t, exact, hooks), Catch::Contains("--method exact"));
}

TEST_CASE("Search outputs are deterministic and complete", "[search]") {
  SensitivityTable t = test::synthetic_table(24, 5);
  SearchResult a = run_search(t, fast_options());
  SearchResult b = run_search(t, fast_options());
  CHECK(front_csv(a) == front_csv(b));
  CHECK(pareto_front_svg(a) == pareto_front_svg(b));
  CHECK(search_report_markdown(a) == search_report_markdown(b));

  std::string csv = front_csv(a);
  CHECK(csv.rfind("source,index,memory,nominal_bits,effective_bits,proxy_error,objective_error,config\n", 0) == 0);
  CHECK(count(csv, "\n") == 1 + a.searched_front.size() + a.exact_front.size() + a.exact_front_per_layer.size());

  std::string svg = pareto_front_svg(a);
  for (const char* label :
       {"searched front (NSGA-II)", "exact front (groups)", "exact front (per layer)", "uniform configs",
        "chosen configs", ">KV8<", ">K8V4<", ">KV4<", ">K4V2<", ">KV2<", "nominal bits per KV element", "proxy error"})
    CHECK(svg.find(label) != std::string::npos);
  CHECK(count(svg, "<circle") >= a.searched_front.size());

  std::string md = search_report_markdown(a);
  CHECK(md.find("## Groups") != std::string::npos);
  CHECK(count(md, "\n| ") >= a.groups.groups.size());
  CHECK(md.find("Hypervolume ratio searched / exact") != std::string::npos);
  for (const auto& s : a.selected) CHECK(md.find(s.file_name) != std::string::npos);

  fs::path dir = fs::temp_directory_path() / ("kvt_search_out_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  SearchOptions o = fast_options();
  write_search_outputs(a, o, (dir / "a").string());
  write_search_outputs(b, o, (dir / "b").string());
  for (const auto& entry : fs::directory_iterator(dir / "a"))
    CHECK(slurp(entry.path()) == slurp(dir / "b" / entry.path().filename()));
  REQUIRE_THROWS_WITH(write_search_outputs(a, o, (dir / "a").string()), Catch::Contains("--force"));
  o.force = true;
  CHECK_NOTHROW(write_search_outputs(a, o, (dir / "a").string()));
  fs::remove_all(dir);
}

TEST_CASE("Sensitivity heatmap shows every layer and pair", "[search]") {
  SensitivityTable t = test::synthetic_table(6, 1);
  std::string svg = sensitivity_heatmap_svg(t);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(count(svg, "<rect") == 1 + 6 * 9 + 64 + 1);  // background, cells, colour bar steps, bar frame
  for (const auto& p : t.pairs) CHECK(svg.find(">" + p.name() + "<") != std::string::npos);
  t.e_o[0].pop_back();
  REQUIRE_THROWS_AS(sensitivity_heatmap_svg(t), InputError);
}

TEST_CASE("Search options are validated up front", "[search]") {
  SensitivityTable t = test::synthetic_table(6, 1);
  auto fails = [&](SearchOptions o, const std::string& text) {
    REQUIRE_THROWS_WITH(run_search(t, o), Catch::Contains(text));
  };
  SearchOptions o = fast_options();
  {
    auto b = o;
    b.budgets = {};
    fails(b, "--budgets: the list is empty");
  }
  {
    auto b = o;
    b.budgets = {4, 4};
    fails(b, "4 is listed twice");
  }
  {
    auto b = o;
    b.budgets = {0.5};
    fails(b, "0.5 is outside 1..16");
  }
  {
    auto b = o;
    b.configs_per_budget = 0;
    fails(b, "--per-budget 0");
  }
  {
    auto b = o;
    b.nsga2.population = 30;
    fails(b, "--pop 30");
  }
  {
    auto b = o;
    b.memory = MemoryMeasure::Bytes;
    t.kv_elements_per_token_per_layer = 0;
    REQUIRE_THROWS_WITH(run_search(t, b), Catch::Contains("kv_elements_per_token_per_layer"));
  }
}

TEST_CASE("A budget below every config selects nothing and says so", "[search]") {
  SensitivityTable t = test::synthetic_table(8, 2);
  SearchOptions o = fast_options();
  o.budgets = {1.5};  // KV2 everywhere is 2 bits
  SearchResult r = run_search(t, o);
  CHECK(r.searched_front.empty());
  CHECK(r.selected.empty());
  CHECK_FALSE(r.hypervolume.has_value());
  CHECK(search_report_markdown(r).find("No searched config fits the 1.5-bit budget") != std::string::npos);
  CHECK_NOTHROW(pareto_front_svg(r));
}

TEST_CASE("With the KL proxy, DP and NSGA-II spend their bits on the one sensitive layer", "[search]") {
  // Six layers; the e_o table says all layers are alike, the measured layer KL says layer 3 is 100× more
  // sensitive. At 4 bits (KV4 average) the best use of the budget under KL: layer 3 at KV8, others lower.
  SensitivityTable t = test::synthetic_table(6, 5, 1, 0.0);
  t.kl.assign(6, std::vector<double>(t.pairs.size(), 0.0));
  for (int l = 0; l < 6; ++l)
    for (size_t p = 0; p < t.pairs.size(); ++p) {
      const PrecisionPair& pair = t.pairs[p];
      // KL ∝ 4^-bits per side (quantization noise power), key and value alike.
      const double base = std::pow(4.0, -pair.key_bits) + std::pow(4.0, -pair.value_bits);
      t.kl[size_t(l)][p] = base * (l == 3 ? 100.0 : 1.0);
    }
  for (const char* method : {"exact", "nsga2"}) {
    INFO(method);
    SearchOptions o = fast_options();
    o.nsga2.generations = 120;
    o.method = parse_search_method(method);
    o.budgets = {4.0};
    o.proxy = "kl";
    SearchResult r = run_search(t, o);
    CHECK(r.objective_name == "proxy-sum-kl");
    auto budget_pick =
        std::find_if(r.selected.begin(), r.selected.end(), [](const SelectedConfig& s) { return s.role == "budget"; });
    REQUIRE(budget_pick != r.selected.end());
    const auto& layer_pairs = budget_pick->point.layer_pairs;
    const PrecisionPair sensitive = t.pairs[size_t(layer_pairs[3])];
    for (int l = 0; l < 6; ++l) {
      if (l == 3) continue;
      const PrecisionPair other = t.pairs[size_t(layer_pairs[size_t(l)])];
      CHECK(sensitive.mean_bits() > other.mean_bits());
    }
    // With the e_o proxy the same layer gets no more than the others (its e_o is not larger).
    o.proxy = "eo";
    SearchResult by_eo = run_search(t, o);
    CHECK(by_eo.objective_name == "proxy-sum-e_o");
  }
  SearchOptions o = fast_options();
  o.proxy = "fisher";
  CHECK_THROWS_WITH(run_search(t, o), Catch::Contains("--proxy fisher") && Catch::Contains("no fisher"));
}
