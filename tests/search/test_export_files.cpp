// export/show from files: official presets (CRLF, names carry the scheme), --model and --sensitivity checks,
// artifacts that read back, the per-layer view, and every error of the export context.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lib/core/error.h"
#include "search/interop/config_view.h"
#include "search/interop/exporter.h"
#include "tests/search/export_test_support.h"
#include "tests/search/official_presets.h"

namespace fs = std::filesystem;
using namespace kvt::interop;

namespace {

// A fresh directory per test case, removed at the end.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("kvt_export_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

// Qwen2.5-7B: 28 layers, 28 heads over 3584 → head_dim 128, 4 KV heads.
// config.json of Qwen2.5-7B-Instruct (the fields kvtuner reads; export --model reads it with the model loader).
const char* kQwen7bConfigJson =
    R"({"architectures": ["Qwen2ForCausalLM"], "num_hidden_layers": 28, "hidden_size": 3584,
        "num_attention_heads": 28, "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064})";

// A small Llama config.json with the given fields spliced in (or overriding).
std::string llama_config_json(const std::string& fields) {
  return R"({"architectures": ["LlamaForCausalLM"], "intermediate_size": 128, "vocab_size": 256, )" + fields + "}";
}

ExportRequest request(const std::string& config, const std::string& format) {
  ExportRequest r;
  r.config_path = config;
  r.format = format;
  return r;
}

std::string view_of(const ExportContext& c) {
  BitsSummary s = summarize_searched(c.config, c.storage, c.table ? &*c.table : nullptr);
  return format_config_view(c.config, c.config_path, s, c.scheme);
}

}  // namespace

TEST_CASE("official Llama-3.1-8B kivi KVTuner4_1 shows 3.25 bits", "[search][export][show]") {
  TempDir dir("llama");
  std::string path = dir.write("Llama-3.1-8B-Instruct_kivi_KVTuner4_1.yaml",
                               kvt::test::official_preset_text(kvt::test::kLlama31KiviC325));
  ExportContext c = load_export_context(request(path, "kvtuner-yaml"));
  CHECK(c.config.num_layers() == 32);
  CHECK(c.config.nominal_bits() == 3.25);
  CHECK(c.scheme == "kivi");
  CHECK(c.scheme_source == "file name");
  CHECK(c.storage.key.group_size == 32);
  CHECK(c.storage.value.group_size == 32);
  std::string view = view_of(c);
  CHECK_THAT(view, Catch::Contains("average bits: 3.2500"));
  CHECK_THAT(view, Catch::Contains("pairs: K8V4 x2, KV4 x6, K4V2 x20, KV2 x4"));  // docs/method.md §15 histogram
  CHECK_THAT(view, Catch::Contains("effective bits: 4.2500"));                    // + 32/32 per element
  CHECK_THAT(view, Catch::Contains("   13     8     4  K8V4"));
}

TEST_CASE("official Qwen2.5-7B pertoken KVTuner4_0 shows 4.00 bits", "[search][export][show]") {
  TempDir dir("qwen");
  std::string path = dir.write("Qwen2.5-7B-Instruct_pertoken_KVTuner4_0.yaml",
                               kvt::test::official_preset_text(kvt::test::kQwen25PertokenC400));
  std::string model = (dir.path / "qwen").string();
  dir.write("qwen/config.json", kQwen7bConfigJson);
  ExportRequest r = request(path, "kvtuner-yaml");
  r.model_dir = model;
  ExportContext c = load_export_context(r);
  CHECK(c.config.num_layers() == 28);
  CHECK(c.config.nominal_bits() == 4.0);
  CHECK(c.scheme == "per-token-asym");
  CHECK(c.head_dim == 128);
  CHECK(c.head_dim_source == "--model");
  std::string view = view_of(c);
  CHECK_THAT(view, Catch::Contains("average bits: 4.0000"));
  CHECK_THAT(view, Catch::Contains("pairs: KV8 x1, K8V2 x3, KV4 x17, K4V2 x7"));
  CHECK_THAT(view, Catch::Contains("effective bits: 4.2500"));  // + 32/128
  // The same preset against a 32-layer model is refused.
  dir.write("llama/config.json",
            llama_config_json(R"("num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32)"));
  r.model_dir = (dir.path / "llama").string();
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("the config has 28 layers but the model has 32"));
}

TEST_CASE("kvtuner-yaml and json exports read back to the same config", "[search][export]") {
  TempDir dir("roundtrip");
  kvt::KvConfig per_head;
  per_head.heads = {{{8, 4}, {4, 2}}, {{2, 2}, {16, 16}}};
  per_head.metadata = {{"scheme", "kivi"}, {"budget", 4}};
  kvt::KvConfig per_layer = kvt::test::config_of({"KV8", "K4V2", "KV2"});
  per_layer.metadata = {{"model_hash", "0123"}};
  for (const auto& config : {per_head, per_layer}) {
    std::string path = dir.write("in.yaml", kvt::to_kvtuner_yaml(config));
    for (const std::string format : {"kvtuner-yaml", "json"}) {
      ExportContext c = load_export_context(request(path, format));
      ExportResult r = run_export(c, format, {});
      kvt::KvConfig back = kvt::parse_kv_config_yaml(r.artifact, "artifact");
      CHECK(back.layers == config.layers);
      CHECK(back.heads == config.heads);
      CHECK(back.metadata == config.metadata);
      CHECK(r.projections.empty());
      CHECK_THAT(format_export_report(c, format, r), Catch::Contains(format + ": exact"));
    }
  }
}

TEST_CASE("engine export: artifact and report carry searched and projected bits and proxy error", "[search][export]") {
  TempDir dir("engine");
  // KIVI, 3 layers: KV2, K8V4, K4V2. vllm needs 2, 8, 4 → fp8 everywhere (8.0) beats nvfp4/auto/nvfp4 (8.33).
  std::string path =
      dir.write("tiny_kivi_KVTuner4_0.yaml", kvt::to_kvtuner_yaml(kvt::test::config_of({"KV2", "K8V4", "K4V2"})));
  auto table = kvt::test::table_of({"KV8", "K8V4", "KV4", "K4V2", "KV2"},
                                   {{0.01, 0.02, 0.04, 0.08, 0.16}, {0.1, 0.2, 0.4, 0.8, 1.6}, {1, 2, 4, 8, 16}});
  table.scheme = "kivi";
  std::string table_path = dir.write("profile.json", kvt::to_json(table).dump());
  ExportRequest r = request(path, "vllm");
  r.sensitivity_path = table_path;
  ExportContext c = load_export_context(r);
  CHECK(c.scheme_source == "sensitivity table");
  ExportResult result = run_export(c, "vllm", {});
  // Searched: nominal (2 + 6 + 3)/3 = 11/3; effective + 1 bit (groups of 32); proxy 0.16 + 0.2 + 8 = 8.36.
  CHECK(result.searched.nominal_bits == Approx(11.0 / 3));
  CHECK(result.searched.effective_bits == Approx(14.0 / 3));
  REQUIRE(result.searched.proxy_error);
  CHECK(*result.searched.proxy_error == Approx(8.36));
  // Projected: KV8 everywhere, proxy 0.01 + 0.1 + 1 = 1.11.
  REQUIRE(result.projected.size() == 1);
  CHECK(result.projected[0].nominal_bits == 8.0);
  CHECK(*result.projected[0].proxy_error == Approx(1.11));
  nlohmann::json artifact = nlohmann::json::parse(result.artifact);
  CHECK(artifact["engine"] == "vllm");
  CHECK(artifact["config"]["file"] == "tiny_kivi_KVTuner4_0.yaml");
  CHECK(artifact["projections"][0]["invocation"] == "--kv-cache-dtype fp8");
  CHECK(artifact["projections"][0]["per_layer"].size() == 3);
  CHECK(artifact["projections"][0]["bits"]["proxy_error"].get<double>() == Approx(1.11));
  CHECK(artifact["searched"]["proxy_error"].get<double>() == Approx(8.36));
  std::string report = format_export_report(c, "vllm", result);
  CHECK_THAT(report, Catch::Contains("searched           3.6667     4.6667         8.36"));
  CHECK_THAT(report, Catch::Contains("vllm               8.0000     8.0000         1.11"));
  CHECK_THAT(report, Catch::Contains("vllm: --kv-cache-dtype fp8"));
  // Same inputs → byte-identical artifact.
  CHECK(run_export(load_export_context(r), "vllm", {}).artifact == result.artifact);
}

TEST_CASE("official Llama preset to vllm: nvfp4 with layers 13 and 17 skipped", "[search][export]") {
  TempDir dir("llama_vllm");
  std::string path = dir.write("Llama-3.1-8B-Instruct_kivi_KVTuner4_1.yaml",
                               kvt::test::official_preset_text(kvt::test::kLlama31KiviC325));
  ExportContext c = load_export_context(request(path, "vllm"));
  ExportResult r = run_export(c, "vllm", {});
  // K8V4 layers 13 and 17 need 8 bits → auto; the other 30 need ≤ 4 → nvfp4. Nominal (2·16 + 30·4)/32 = 4.75,
  // effective (2·16 + 30·4.5)/32 = 5.21875 < fp8's 8.0.
  CHECK(r.projections[0].invocation == "--kv-cache-dtype nvfp4 --kv-cache-dtype-skip-layers 13 17");
  CHECK(r.projected[0].nominal_bits == Approx(4.75));
  CHECK(r.projected[0].effective_bits == Approx(5.21875));
  // llama.cpp within 4.25 effective bits: nothing fits (q4_0/q4_0 = 4.5), so the cheapest with a note.
  ExportResult ll = run_export(c, "llama.cpp", {});
  CHECK(ll.projections[0].invocation == "-ctk q4_0 -ctv q4_0 -fa on");
  CHECK_THAT(format_export_report(c, "llama.cpp", ll), Catch::Contains("no llama.cpp setting fits"));
  // lmdeploy int4 = 4 + 32/128 = 4.25 fits exactly.
  CHECK(run_export(c, "lmdeploy", {}).projections[0].invocation == "--quant-policy 4");
}

TEST_CASE("show: layer groups from metadata", "[search][export][show]") {
  kvt::KvConfig config = kvt::test::config_of({"KV8", "KV4", "KV4"});
  config.metadata = {{"groups", {{0}, {1, 2}}}};
  std::string view = format_config_view(config, "g.yaml", summarize_searched(config, 128, nullptr), "per-token-asym");
  CHECK_THAT(view, Catch::Contains("layer     K     V  pair   group"));
  CHECK_THAT(view, Catch::Contains("    2     4     4  KV4        1"));
  config.metadata = {{"groups", {{0, 1}, {1, 2}}}};
  REQUIRE_THROWS_WITH(layer_groups_from_metadata(config, "g.yaml"),
                      Catch::Contains("g.yaml: metadata groups: layer 1 is in groups 0 and 1"));
  config.metadata = {{"groups", {{0, 7}}}};
  REQUIRE_THROWS_WITH(layer_groups_from_metadata(config, "g.yaml"), Catch::Contains("7 is not a layer in 0..2"));
  config.metadata = {{"groups", "0-2"}};
  REQUIRE_THROWS_WITH(layer_groups_from_metadata(config, "g.yaml"), Catch::Contains("expected a list of layer lists"));
}

TEST_CASE("export context errors name the file or option", "[search][export]") {
  TempDir dir("errors");
  std::string path = dir.write("c.yaml", kvt::to_kvtuner_yaml(kvt::test::config_of({"KV8", "KV4"})));
  REQUIRE_THROWS_WITH(load_export_context(request(path, "onnx")),
                      Catch::Contains("--to: unknown format 'onnx' (expected one of kvtuner-yaml, json, vllm"));
  ExportRequest r = request(path, "json");
  r.engine_dtypes = {"fp8"};
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("--engine-dtypes: only for engine formats"));
  r = request(path, "sglang");
  r.engine_dtypes = {"fp8"};
  ExportContext c = load_export_context(r);
  REQUIRE_THROWS_WITH(run_export(c, "sglang", r.engine_dtypes),
                      Catch::Contains("'fp8' is not a sglang KV-cache dtype (fp8_e4m3, fp4_e2m1, bf16)"));
  REQUIRE_THROWS_WITH(load_export_context(request((dir.path / "none.yaml").string(), "json")),
                      Catch::Contains("none.yaml"));

  // Tables that do not belong to the config.
  auto three_layers = kvt::test::table_of({"KV8", "KV4"}, {{1, 2}, {1, 2}, {1, 2}});
  r = request(path, "vllm");
  r.sensitivity_path = dir.write("t3.json", kvt::to_json(three_layers).dump());
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("t3.json: the table has 3 layers but the config"));
  auto two_layers = kvt::test::table_of({"KV8", "KV4"}, {{1, 2}, {1, 2}});
  two_layers.model_hash = "aaaa";
  kvt::KvConfig tagged = kvt::test::config_of({"KV8", "KV4"});
  tagged.metadata = {{"model_hash", "bbbb"}, {"scheme", "kivi"}};
  r = request(dir.write("tagged.yaml", kvt::to_kvtuner_yaml(tagged)), "vllm");
  r.sensitivity_path = dir.write("t2.json", kvt::to_json(two_layers).dump());
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("model_hash aaaa differs from the config's bbbb"));
  two_layers.model_hash = "bbbb";
  r.sensitivity_path = dir.write("t2.json", kvt::to_json(two_layers).dump());
  REQUIRE_THROWS_WITH(load_export_context(r),
                      Catch::Contains("scheme 'kivi' in the config metadata, but the sensitivity table was profiled "
                                      "with 'per-token-asym'"));

  // Model directories.
  r = request(path, "vllm");
  r.model_dir = (dir.path / "nomodel").string();
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("nomodel: not a model directory"));
  r.model_dir = (dir.path / "m").string();
  // config.json is read by the model loader (lib/model/model_config.h), so its errors are the loader's.
  dir.write("m/config.json", llama_config_json(R"("hidden_size": 64, "num_attention_heads": 4)"));
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("m/config.json") && Catch::Contains("num_hidden_layers"));
  dir.write("m/config.json",
            llama_config_json(R"("num_hidden_layers": 2, "hidden_size": 66, "num_attention_heads": 4)"));
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("hidden_size (66) is not a multiple of"));
  dir.write("m/config.json",
            llama_config_json(R"("num_hidden_layers": 2.5, "hidden_size": 64, "num_attention_heads": 4)"));
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("m/config.json") && Catch::Contains("num_hidden_layers"));
  dir.write("m/config.json", "{");
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("m/config.json: not valid JSON"));
  dir.write("m/config.json", R"({"architectures": ["GemmaForCausalLM"], "num_hidden_layers": 2})");
  REQUIRE_THROWS_WITH(load_export_context(r), Catch::Contains("GemmaForCausalLM"));
  dir.write(
      "m/config.json",
      llama_config_json(R"("num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "head_dim": 32)"));
  CHECK(load_export_context(r).head_dim == 32);
}

TEST_CASE("scheme and head_dim fall back to documented assumptions", "[search][export]") {
  TempDir dir("assume");
  std::string path = dir.write("plain.yaml", kvt::to_kvtuner_yaml(kvt::test::config_of({"KV4"})));
  ExportContext c = load_export_context(request(path, "lmdeploy"));
  CHECK(c.scheme == "per-token-asym");
  CHECK(c.scheme_source == "assumed");
  CHECK(c.head_dim_source == "assumed");
  CHECK(c.storage.key.group_size == 128);
  CHECK_THAT(format_export_report(c, "lmdeploy", run_export(c, "lmdeploy", {})),
             Catch::Contains("note: effective bits use assumed values"));
  kvt::KvConfig with_params = kvt::test::config_of({"KV4"});
  with_params.metadata = {{"scheme", "custom"}, {"scheme_params", {{"group_size", 64}}}, {"head_dim", 96}};
  c = load_export_context(request(dir.write("p.yaml", kvt::to_kvtuner_yaml(with_params)), "lmdeploy"));
  CHECK(c.storage.key.group_size == 64);
  CHECK(c.storage.value.group_size == 64);
  CHECK(c.head_dim == 96);
  CHECK(c.head_dim_source == "metadata");
  // lib/quant's scheme_params layout: per-tensor specs; group 0 means head_dim, symmetric halves the overhead.
  with_params.metadata = {{"scheme", "custom"},
                          {"head_dim", 64},
                          {"scheme_params",
                           {{"key", {{"axis", "per-channel"}, {"group_size", 16}, {"symmetric", true}}},
                            {"value", {{"axis", "per-token"}, {"group_size", 0}}}}}};
  c = load_export_context(request(dir.write("q.yaml", kvt::to_kvtuner_yaml(with_params)), "json"));
  CHECK(c.storage.key.group_size == 16);
  CHECK(c.storage.key.symmetric);
  CHECK(c.storage.value.group_size == 64);
  CHECK_FALSE(c.storage.value.symmetric);
  // KV4: K 4 + 16/16 = 5, V 4 + 32/64 = 4.5 → 4.75.
  CHECK(run_export(c, "json", {}).searched.effective_bits == Approx(4.75));
  CHECK(scheme_description(c) ==
        "custom (metadata); K groups of 16 (symmetric), V groups of 64; head_dim 64 (metadata)");
}
