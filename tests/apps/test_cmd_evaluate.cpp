// `kvtuner-search evaluate` through the real binary (KVT_SEARCH_BIN) on a generated fixture model:
// outputs, determinism, --force, config metadata, and non-zero exits with the error text for bad input.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;

namespace {

using EvalRun = kvt::test::CliRun;

// A fixture model (3 layers, vocab 101), held-out ids and two configs in a directory.
struct EvalWorkspace {
  fs::path dir;
  std::string model, ids, configs;
  explicit EvalWorkspace(const std::string& name) {
    dir = kvt::test::fresh_test_dir("cmd_evaluate_" + name);
    kvt::test::FixtureSpec spec;
    spec.layers = 3;
    model = kvt::test::write_fixture_model((dir / "model").string(), spec);
    std::string lines;
    for (const auto& p : kvt::test::random_prompts({30, 30, 26, 34}, spec.vocab, 3))
      lines += nlohmann::json(p).dump() + "\n";
    ids = write("ids.jsonl", lines);
    fs::create_directories(dir / "configs");
    write("configs/mixed.yaml", layer_yaml({{8, 4}, {4, 2}, {8, 8}}));
    write("configs/low.yaml", layer_yaml({{2, 2}, {4, 2}, {2, 4}}));
    configs = (dir / "configs").string();
  }
  static std::string layer_yaml(const std::vector<std::pair<int, int>>& layers, const std::string& header = "") {
    std::string y = header;
    for (size_t l = 0; l < layers.size(); ++l)
      y += std::to_string(l) + ":\n  nbits_key: " + std::to_string(layers[l].first) +
           "\n  nbits_value: " + std::to_string(layers[l].second) + "\n";
    return y;
  }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  }
  EvalRun run(const std::string& args) const { return kvt::test::run_kvtuner_search("evaluate " + args); }
  std::string base() const {
    return "--model " + model + " --heldout-ids " + (dir / "ids.jsonl").string() +
           " --scheme per-token-asym --heldout-min-tokens 2 ";
  }
};

}  // namespace

TEST_CASE("evaluate writes the table, JSON and plot, identical reruns, --force", "[apps][evaluate]") {
  EvalWorkspace ws("outputs");
  const std::string out = (ws.dir / "out").string();
  EvalRun r = ws.run(ws.base() + "--config " + ws.configs + " --gen-tokens 6 --out " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("| KV16 | full-precision |") != std::string::npos);
  const std::string json_text = kvt::test::slurp_file(fs::path(out) / "evaluation.json");
  auto j = nlohmann::json::parse(json_text);
  REQUIRE(j["rows"].size() == 8);  // full precision, 5 baselines, 2 configs (name order)
  CHECK(j["rows"][0]["name"] == "KV16");
  CHECK(j["rows"][1]["name"] == "KV8");
  CHECK(j["rows"][5]["name"] == "KV2");
  CHECK(j["rows"][6]["name"] == "low");
  CHECK(j["rows"][7]["name"] == "mixed");
  CHECK(j["rows"][7]["nominal_bits"].get<double>() == Approx((12 + 6 + 16) / 6.0));
  CHECK(j["rows"][7]["effective_bits"].get<double>() == Approx((12 + 6 + 16) / 6.0 + 2));  // +32 bits per 16 elements
  CHECK(j["rows"][6]["mean_kl"].get<double>() > j["rows"][7]["mean_kl"].get<double>());
  CHECK(j["rows"][0]["generation"]["identical_fraction"] == 1.0);
  CHECK(j["scored_tokens"] == 15 + 15 + 13 + 17);
  CHECK(j["context"]["scheme"] == "per-token-asym");
  const std::string md = kvt::test::slurp_file(fs::path(out) / "evaluation.md"), svg = kvt::test::slurp_file(fs::path(out) / "evaluation.svg");
  CHECK(md.find("| mixed | searched |") != std::string::npos);
  CHECK(svg.find(">mixed</text>") != std::string::npos);

  EvalRun again = ws.run(ws.base() + "--config " + ws.configs + " --gen-tokens 6 --out " + out);
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("input.110") != std::string::npos);
  REQUIRE(ws.run(ws.base() + "--config " + ws.configs + " --gen-tokens 6 --out " + out + " --force").exit_code == 0);
  CHECK(kvt::test::slurp_file(fs::path(out) / "evaluation.json") == json_text);
  CHECK(kvt::test::slurp_file(fs::path(out) / "evaluation.md") == md);
  CHECK(kvt::test::slurp_file(fs::path(out) / "evaluation.svg") == svg);
}

TEST_CASE("evaluate takes scheme and prefill mode from the configs' metadata", "[apps][evaluate]") {
  EvalWorkspace ws("metadata");
  const std::string header = "# kvtuner: {\"scheme\": \"per-token-asym\", \"prefill_mode\": \"prefill-quantized\"}\n";
  const std::string a = ws.write("a.yaml", EvalWorkspace::layer_yaml({{4, 4}, {4, 4}, {4, 4}}, header));
  const std::string data =
      "--model " + ws.model + " --heldout-ids " + ws.ids + " --gen-tokens 0 --heldout-min-tokens 2 ";
  const std::string out = (ws.dir / "out").string();
  EvalRun r = ws.run(data + "--config " + a + " --out " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(kvt::test::slurp_file(fs::path(out) / "evaluation.json"));
  CHECK(j["context"]["scheme"] == "per-token-asym");
  CHECK(j["context"]["prefill"] == "prefill-quantized");
  CHECK_FALSE(j["rows"][0].contains("generation"));

  const std::string b =
      ws.write("b.yaml", EvalWorkspace::layer_yaml({{4, 4}, {4, 4}, {4, 4}}, "# kvtuner: {\"scheme\": \"kivi\"}\n"));
  EvalRun conflict = ws.run(data + "--config " + a + " --config " + b);
  CHECK(conflict.exit_code == 2);
  CHECK(conflict.err.find("pass --scheme") != std::string::npos);
}

TEST_CASE("evaluate: the former held-out spellings still work, give the same bytes, and warn", "[apps][evaluate]") {
  EvalWorkspace ws("aliases");
  const std::string config = ws.write("a.yaml", EvalWorkspace::layer_yaml({{8, 4}, {4, 2}, {4, 4}}));
  const std::string common = "--model " + ws.model + " --scheme per-token-asym --gen-tokens 0 --config " + config;
  const std::string now = (ws.dir / "now").string(), before = (ws.dir / "before").string();
  EvalRun current = ws.run(common + " --heldout-ids " + ws.ids +
                           " --heldout-min-tokens 2 --heldout-max-tokens 28 "
                           "--heldout-sequences 3 --out " +
                           now);
  INFO(current.err);
  REQUIRE(current.exit_code == 0);
  CHECK(current.err.find("deprecated") == std::string::npos);
  EvalRun former =
      ws.run(common + " --ids " + ws.ids + " --min-tokens 2 --max-tokens 28 --num-sequences 3 --out " + before);
  INFO(former.err);
  REQUIRE(former.exit_code == 0);
  for (const char* name : {"--ids", "--min-tokens", "--max-tokens", "--num-sequences"})
    CHECK(former.err.find(std::string(name) + " is deprecated") != std::string::npos);
  CHECK(former.err.find("use --heldout-ids") != std::string::npos);
  CHECK(kvt::test::slurp_file(fs::path(before) / "evaluation.json") == kvt::test::slurp_file(fs::path(now) / "evaluation.json"));
  // The former names are hidden from --help; the new ones are listed.
  EvalRun help = ws.run("--help");
  CHECK(help.out.find("--heldout-ids") != std::string::npos);
  CHECK(help.out.find("--num-sequences") == std::string::npos);
}

TEST_CASE("evaluate rejects bad input with a one-line message", "[apps][evaluate]") {
  EvalWorkspace ws("errors");
  const std::string wrong_layers = ws.write("two.yaml", EvalWorkspace::layer_yaml({{4, 4}, {4, 4}}));
  fs::create_directories(ws.dir / "empty");
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {ws.base() + "--config " + wrong_layers, "two.yaml"},
      {ws.base() + "--config " + (ws.dir / "missing.yaml").string(), "no such file"},
      {ws.base() + "--config " + (ws.dir / "empty").string(), "holds no .yaml"},
      {ws.base() + "--config " + ws.configs + " --prompt-len most", "--prompt-len"},
      {ws.base() + "--config " + ws.configs + " --prompt-len 30", "no token left to decode"},
      {ws.base() + "--config " + ws.configs + " --baselines KV9", "KV9"},
      {ws.base() + "--config " + ws.configs + " --gen-tokens -1", "--gen-tokens"},
      {ws.base() + "--config " + ws.configs + " --plot auc", "--plot"},
      {ws.base() + "--config " + ws.configs + " --prefill sometimes", "--prefill"},
      {"--model " + ws.model + " --heldout-ids " + ws.ids + " --scheme nope --config " + ws.configs, "nope"},
      {"--model " + ws.model + " --config " + ws.configs + " --scheme per-token-asym", "no held-out data"},
      {"--model " + ws.model + " --heldout-ids " + ws.ids + " --heldout x.txt --config " + ws.configs, "excludes"},
      {"--model " + ws.model + " --heldout-ids " + ws.ids + " --data x.txt --config " + ws.configs, "excludes"},
      {"--model " + ws.model + " --heldout-ids " + ws.ids, "--config is required"},
      {"--model " + (ws.dir / "nomodel").string() + " --heldout-ids " + ws.ids + " --config " + ws.configs,
       "not a model directory"},
  };
  for (const auto& c : cases) {
    EvalRun r = ws.run(c.args);
    INFO(c.args << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("evaluate on the bundled demo model reads its heldout.txt through the model's tokenizer",
          "[apps][evaluate][demo]") {
  const fs::path demo = fs::path(KVT_SOURCE_DIR) / "data" / "models" / "kvt-demo-6l";
  REQUIRE(fs::is_regular_file(demo / "config.json"));
  EvalWorkspace ws("demo");
  const std::string config =
      ws.write("demo4.yaml", EvalWorkspace::layer_yaml({{8, 4}, {4, 4}, {4, 2}, {4, 4}, {8, 4}, {4, 2}}));
  const std::string out = (ws.dir / "out").string();
  EvalRun r =
      ws.run("--model " + demo.string() + " --config " + config + " --heldout-sequences 4 --gen-tokens 4 --out " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(kvt::test::slurp_file(fs::path(out) / "evaluation.json"));
  CHECK(j["context"]["held_out_data"].get<std::string>().find("heldout.txt") != std::string::npos);
  CHECK(j["context"]["scheme"] == "kivi");
  CHECK(j["sequences"] == 4);
  // heldout.txt is read as one token stream in windows of --max-tokens (256, the context): full windows, none
  // dropped (its blank lines separate paragraphs of kvtuner-train's held-out documents, not documents).
  CHECK(j["total_tokens"] == 4 * 256);
  CHECK_THAT(r.err, Catch::Contains("4 held-out sequences of up to 256 tokens from one"));
  CHECK(r.err.find("dropped") == std::string::npos);
  CHECK(r.err.find("truncated") == std::string::npos);
  const auto& rows = j["rows"];
  CHECK(rows[6]["name"] == "demo4");
  // A trained model: KV8 is close to lossless and KV2 clearly worse than KV4.
  CHECK(rows[1]["mean_kl"].get<double>() < 1e-4);
  CHECK(rows[5]["mean_kl"].get<double>() > rows[3]["mean_kl"].get<double>());
  CHECK(rows[1]["top1_agreement"].get<double>() > 0.99);
}
