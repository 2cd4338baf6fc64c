// Evaluation report forms (lib/eval/eval_report.h) and the SVG plot on hand-made results.
#include <ATen/ATen.h>  // before Catch: glog (via c10) defines its own CHECK

#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "lib/eval/eval_report.h"
#include "lib/eval/svg_plot.h"

using namespace kvt::eval;

namespace {

ConfigResult row(const std::string& name, const std::string& kind, double bits, double kl, double ppl) {
  ConfigResult r;
  r.name = name;
  r.kind = kind;
  r.nominal_bits = bits;
  r.effective_bits = bits + 0.25;
  r.mean_kl = kl;
  r.perplexity = ppl;
  r.top1_agreement = 1 - kl;
  r.tokens = 100;
  return r;
}

EvaluationReport sample_report() {
  EvaluationReport rep;
  rep.result.sequences = 4;
  rep.result.total_tokens = 200;
  rep.result.scored_tokens = 100;
  rep.result.rows = {row("KV16", "full-precision", 16, 0, 10.0), row("KV8", "baseline", 8, 0.001, 10.01),
                     row("KV4", "baseline", 4, 0.05, 10.5),      row("KV2", "baseline", 2, 0.9, 30.0),
                     row("good", "searched", 3.5, 0.02, 10.2),   row("bad", "searched", 3.5, 0.06, 10.6),
                     row("tiny", "searched", 1.5, 2.0, 50.0),    row("worse", "searched", 3.0, 1.0, 40.0)};
  rep.result.rows[0].effective_bits = 16;
  rep.context["model"] = "m";
  rep.context["scheme"] = "per-token-asym";
  return rep;
}

}  // namespace

TEST_CASE("baseline comparison: searched configs against uniform baselines with at least their bits", "[lib][eval]") {
  using Names = std::vector<std::string>;
  auto cmp = compare_with_baselines(sample_report().result);
  REQUIRE(cmp.size() == 4);
  CHECK(cmp[0].config == "good");  // 3.75 effective bits, KL 0.02
  CHECK(cmp[0].beaten == Names{"KV4"});
  CHECK(cmp[0].not_beaten == Names{"KV8"});
  CHECK(cmp[0].dominated_by.empty());
  CHECK_FALSE(cmp[0].beats_all());
  CHECK(cmp[1].beaten.empty());  // "bad": KL 0.06 > KV4's 0.05
  CHECK(cmp[1].not_beaten == Names({"KV8", "KV4"}));
  CHECK(cmp[2].not_beaten.size() == 3);  // "tiny": 1.75 bits, below every baseline
  CHECK(cmp[2].dominated_by.empty());
  CHECK(cmp[3].dominated_by == Names{"KV2"});  // "worse": 3.25 bits, KL 1.0 > KV2's 0.9 at 2.25 bits

  ConfigResult kv4_only = sample_report().result.rows[2];
  EvaluationResult two;
  two.rows = {kv4_only, sample_report().result.rows[4]};
  CHECK(compare_with_baselines(two)[0].beats_all());
  two.rows[1].mean_kl = two.rows[0].mean_kl;  // a searched config equal to KV4: not beaten, not dominated
  two.rows[1].effective_bits = two.rows[0].effective_bits;
  CHECK(compare_with_baselines(two)[0].not_beaten == Names{"KV4"});
  CHECK(compare_with_baselines(two)[0].dominated_by.empty());
}

TEST_CASE("Markdown and JSON carry every row, Δppl and the verdicts", "[lib][eval]") {
  EvaluationReport rep = sample_report();
  std::string md = evaluation_markdown(rep, "Held-out evaluation");
  CHECK(md.rfind("# Held-out evaluation\n", 0) == 0);
  CHECK(md.find("- model: m\n") != std::string::npos);
  CHECK(md.find(
            "| good | searched | 3.500 | 3.750 | 10.2000 | +0.2000 | 2.000e-02 ± 0.0e+00 | 0.9800 | KV4 | KV8 |  |") !=
        std::string::npos);
  CHECK(md.find("| bad | searched |") != std::string::npos);
  CHECK(md.find("|  | KV8, KV4 |  |") != std::string::npos);
  CHECK(md.find("| KV2 |\n") != std::string::npos);
  CHECK(md.find("gen. identical") == std::string::npos);  // no generation rows given

  rep.generation = {{"KV16", 2, 8, 1.0, 8, 8, 2}, {"KV8", 2, 8, 1.0, 8, 8, 2},   {"KV4", 2, 8, 0.5, 3.5, 1, 0},
                    {"KV2", 2, 8, 0, 0, 0, 0},    {"good", 2, 8, 0.75, 5, 2, 1}, {"bad", 2, 8, 0.5, 4, 4, 0},
                    {"tiny", 2, 8, 0, 0, 0, 0},   {"worse", 2, 8, 0, 0, 0, 0}};
  md = evaluation_markdown(rep);
  CHECK(md.find("| 0.5000 | 3.5 / 1 |") != std::string::npos);
  auto j = evaluation_json(rep);
  CHECK(j["format"] == "kvtuner-evaluation-v1");
  CHECK(j["rows"].size() == 8);
  CHECK(j["rows"][4]["delta_perplexity"].get<double>() == Approx(0.2));
  CHECK(j["rows"][4]["vs_uniform_baselines"]["beats"].get<std::vector<std::string>>() ==
        std::vector<std::string>{"KV4"});
  CHECK(j["rows"][7]["vs_uniform_baselines"]["dominated_by"].get<std::vector<std::string>>() ==
        std::vector<std::string>{"KV2"});
  CHECK(j["rows"][2]["generation"]["mean_first_divergence"] == 3.5);
  CHECK_FALSE(j["rows"][1].contains("vs_uniform_baselines"));
  CHECK(evaluation_json(rep).dump() == j.dump());  // deterministic
}

TEST_CASE("SVG plot: log-scale KL hides the zero of full precision, Δppl shows it", "[lib][eval]") {
  EvaluationReport rep = sample_report();
  std::string kl = evaluation_svg(rep, PlotMetric::KL);
  CHECK(kl.rfind("<svg", 0) == 0);
  CHECK(kl.find("(log scale)") != std::string::npos);
  CHECK(kl.find(">KV4</text>") != std::string::npos);
  CHECK(kl.find(">good</text>") != std::string::npos);
  CHECK(kl.find(">KV16</text>") == std::string::npos);
  std::string ppl = evaluation_svg(rep, PlotMetric::DeltaPerplexity);
  CHECK(ppl.find(">KV16</text>") != std::string::npos);
  CHECK(ppl.find("(log scale)") == std::string::npos);
  CHECK(evaluation_svg(rep, PlotMetric::KL) == kl);
  CHECK(parse_plot_metric("ppl") == PlotMetric::DeltaPerplexity);
  CHECK_THROWS_WITH(parse_plot_metric("auc"), Catch::Contains("--plot") && Catch::Contains("input.974"));

  PlotSpec spec;
  spec.log_y = true;
  spec.series = {{"s", "#000", false, true, {{1, 0, ""}, {2, 1e-3, "a"}, {3, 1e-1, "b&c"}}}};
  std::string svg = render_svg_plot(spec);
  CHECK(svg.find("1 point(s) with y = 0 not shown") != std::string::npos);
  CHECK(svg.find("b&amp;c") != std::string::npos);
  CHECK(svg.find(">1e-3</text>") != std::string::npos);
  CHECK(svg.find("<path d=\"M") != std::string::npos);
}
