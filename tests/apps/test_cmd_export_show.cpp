// `kvtuner-search show` and `export` through the real binary (KVT_SEARCH_BIN): official presets, outputs,
// --force, stdout/stderr split, and non-zero exits with the error text for bad input.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/core/kv_config.h"
#include "tests/search/official_presets.h"
#include "tests/support/cli.h"

namespace fs = std::filesystem;

namespace {

using Run = kvt::test::CliRun;

struct Workspace {
  fs::path dir;
  Workspace() {
    dir = fs::temp_directory_path() / ("kvt_cli_export_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Workspace() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  }
  // Runs kvtuner-search with `args` (already shell-quoted where needed).
  Run run(const std::string& args) const { return kvt::test::run_kvtuner_search(args); }
};

}  // namespace

TEST_CASE("show reproduces the official presets' average bits", "[apps][show]") {
  Workspace ws;
  std::string llama = ws.write("Llama-3.1-8B-Instruct_kivi_KVTuner4_1.yaml",
                               kvt::test::official_preset_text(kvt::test::kLlama31KiviC325));
  Run a = ws.run("show --config " + llama);
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK_THAT(a.out, Catch::Contains("average bits: 3.2500"));
  CHECK_THAT(a.out, Catch::Contains("pairs: K8V4 x2, KV4 x6, K4V2 x20, KV2 x4"));
  CHECK_THAT(a.out, Catch::Contains("(32 layers, per-layer)"));

  std::string qwen = ws.write("Qwen2.5-7B-Instruct_pertoken_KVTuner4_0.yaml",
                              kvt::test::official_preset_text(kvt::test::kQwen25PertokenC400));
  Run b = ws.run("show --config " + qwen);
  REQUIRE(b.exit_code == 0);
  CHECK_THAT(b.out, Catch::Contains("average bits: 4.0000"));
  CHECK_THAT(b.out, Catch::Contains("pairs: KV8 x1, K8V2 x3, KV4 x17, K4V2 x7"));
}

TEST_CASE("export writes files, refuses to overwrite, and streams without --out", "[apps][export]") {
  Workspace ws;
  std::string llama = ws.write("Llama-3.1-8B-Instruct_kivi_KVTuner4_1.yaml",
                               kvt::test::official_preset_text(kvt::test::kLlama31KiviC325));
  std::string out = (ws.dir / "vllm.json").string();
  Run first = ws.run("export --config " + llama + " --to vllm --out " + out);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("vllm: --kv-cache-dtype nvfp4 --kv-cache-dtype-skip-layers 13 17"));
  nlohmann::json artifact = nlohmann::json::parse(kvt::test::slurp_file(out));
  CHECK(artifact["searched"]["nominal_bits"] == 3.25);
  CHECK(artifact["projections"][0]["bits"]["nominal_bits"] == 4.75);
  // nvfp4 with skipped layers: what vLLM and the GPU must offer, in the report and in the artifact.
  CHECK_THAT(first.out, Catch::Contains("  requires: vllm nvfp4 KV cache: a vLLM release with PR #40177") &&
                            Catch::Contains("  requires: vllm nvfp4 with --kv-cache-dtype-skip-layers: a vLLM release "
                                            "with PR #42890"));
  CHECK(artifact["projections"][0]["requires"].size() == 3);
  Run again = ws.run("export --config " + llama + " --to vllm --out " + out);
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("already exists; pass --force"));
  CHECK(ws.run("export --config " + llama + " --to vllm --out " + out + " --force").exit_code == 0);
  // Never rename over something that is not a regular file (a directory here; /dev/null in the wild).
  Run not_regular = ws.run("export --config " + llama + " --to vllm --force --out " + ws.dir.string());
  CHECK(not_regular.exit_code == 2);
  CHECK_THAT(not_regular.err, Catch::Contains("exists and is not a regular file"));

  // No --out: the artifact on stdout (here the official YAML, LF), the report on stderr.
  Run streamed = ws.run("export --config " + llama + " --to kvtuner-yaml");
  REQUIRE(streamed.exit_code == 0);
  kvt::KvConfig back = kvt::parse_kv_config_yaml(streamed.out, "stdout");
  CHECK(back.layers == kvt::test::config_from_layer_pairs(kvt::test::kLlama31KiviC325).layers);
  CHECK_THAT(streamed.err, Catch::Contains("kvtuner-yaml: exact"));

  Run ranges = ws.run("export --config " + llama + " --to tensorrt-llm --engine-dtypes fp8,auto");
  REQUIRE(ranges.exit_code == 0);
  CHECK_THAT(ranges.err, Catch::Contains("kv_cache_config: {dtype: \"fp8\"}"));
}

TEST_CASE("bad input exits non-zero with a one-line error", "[apps][export][show]") {
  Workspace ws;
  std::string duplicate =
      ws.write("dup.yaml", "0:\r\n  nbits_key: 2\r\n  nbits_value: 2\r\n0:\r\n  nbits_key: 4\r\n  nbits_value: 4\r\n");
  Run a = ws.run("show --config " + duplicate);
  CHECK(a.exit_code == 2);
  CHECK_THAT(a.err, Catch::Contains("[kvt.input.810]") && Catch::Contains("dup.yaml: layer 0 appears more than once"));
  CHECK(std::count(a.err.begin(), a.err.end(), '\n') == 1);

  std::string bad_bits = ws.write("bits.yaml", "0:\n  nbits_key: 3\n  nbits_value: 12\n");
  Run b = ws.run("export --config " + bad_bits + " --to vllm");
  CHECK(b.exit_code == 2);
  CHECK_THAT(b.err, Catch::Contains("bits.yaml: layer 0: nbits_value = 12 is not in 1..8 or 16"));
  CHECK(b.out.empty());

  std::string good = ws.write("good.yaml", "0:\n  nbits_key: 8\n  nbits_value: 4\n");
  Run c = ws.run("export --config " + good + " --to onnx");
  CHECK(c.exit_code == 2);
  CHECK_THAT(c.err, Catch::Contains("unknown format 'onnx'"));
  Run d = ws.run("export --config " + good);
  CHECK(d.exit_code == 2);  // --to is required (CLI11)
  CHECK_THAT(d.err, Catch::Contains("--to"));
  Run e = ws.run("export --config " + good + " --to llama.cpp --engine-dtypes q3_k");
  CHECK(e.exit_code == 2);
  CHECK_THAT(e.err, Catch::Contains("'q3_k' is not a llama.cpp KV-cache dtype"));
}

TEST_CASE("export --kv-memory reports bytes per token and the tokens of context that fit", "[apps][export]") {
  Workspace ws;
  // kvt-demo-6l: 6 layers, 2 KV heads, head_dim 32. Every layer K8V4 projects onto vllm fp8 (K = V at the
  // larger width): 6 · 2 · 2 · 32 · 8 / 8 = 768 B per token; 1 MiB = 1048576 B → ⌊1048576 / 768⌋ = 1365 tokens.
  std::string yaml;
  for (int l = 0; l < 6; ++l) yaml += std::to_string(l) + ":\n  nbits_key: 8\n  nbits_value: 4\n";
  std::string config = ws.write("k8v4.yaml", yaml);
  const std::string model = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";
  Run r = ws.run("export --config " + config + " --to vllm --model " + model + " --kv-memory 1MiB");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("KV cache (6 layers, 2 KV heads, head_dim 32") &&
                        Catch::Contains("tokens in 1MiB"));
  std::istringstream in(r.err);
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    if (f == std::vector<std::string>{"vllm", "768", "1365"}) found = true;
  }
  CHECK(found);
  Run no_shape = ws.run("export --config " + config + " --to vllm --kv-memory 1MiB");
  CHECK(no_shape.exit_code == 2);
  CHECK_THAT(no_shape.err, Catch::Contains("[kvt.input.438] --kv-memory: needs the model's KV heads"));
  Run bad = ws.run("export --config " + config + " --to vllm --model " + model + " --kv-memory lots");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("[kvt.input.436] --kv-memory: 'lots' is not a memory size"));
}
