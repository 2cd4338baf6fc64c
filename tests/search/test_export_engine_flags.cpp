// Every flag an engine export emits, spelled as the engine takes it today. The table below pins each flag and
// the values kvtuner may pass, with the source it was checked against; the test runs every projection over
// many configs and refuses any token of an invocation the table does not allow (a bare "-fa", a dtype the
// engine does not know, a misspelled flag). When an engine changes a flag, update the table from its source
// and search/interop/engine_requirements.h together.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"
#include "tests/search/export_test_support.h"

using namespace kvt::interop;

namespace {

// How a flag's value is checked: one of `values`, or a pattern.
enum class ValueKind { kOneOf, kLayerIndices, kTypeCount, kLayerRanges };

struct PinnedFlag {
  std::string engine, flag;
  ValueKind kind;
  std::set<std::string> values;  // kOneOf: the values kvtuner may emit (a subset of what the engine accepts);
                                 // kTypeCount / kLayerRanges: the allowed type names
  std::string source;            // repository and file (or page), and the version checked
};

const std::set<std::string> kGgmlTypes = {"f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"};

const std::vector<PinnedFlag>& pinned_flags() {
  static const std::vector<PinnedFlag> flags = {
      // vLLM: CacheDType = auto, float16, bfloat16, fp8, fp8_e4m3, fp8_e5m2, …, nvfp4, nvfp4_4over6;
      // kv_cache_dtype_skip_layers: list[str] of layer indices (or attention type names).
      {"vllm",
       "--kv-cache-dtype",
       ValueKind::kOneOf,
       {"auto", "fp8", "nvfp4"},
       "vllm-project/vllm vllm/config/cache.py (CacheDType) @ 002f10e0, main 2026"},
      {"vllm",
       "--kv-cache-dtype-skip-layers",
       ValueKind::kLayerIndices,
       {},
       "vllm-project/vllm docs/features/quantization/quantized_kvcache.md @ 0609ba15 (vLLM 0.25.1 docs): "
       "\"--kv-cache-dtype-skip-layers 0 1 23\""},
      // SGLang: --kv-cache-dtype choices auto, fp8_e5m2, fp8_e4m3, bf16, bfloat16, fp4_e2m1.
      {"sglang",
       "--kv-cache-dtype",
       ValueKind::kOneOf,
       {"auto", "fp8_e4m3", "fp4_e2m1"},
       "sgl-project/sglang python/sglang/srt/server_args.py (add_argument --kv-cache-dtype) and "
       "docs/advanced_features/quantized_kv_cache.md @ 03cd2ec4"},
      // Range syntax of the unmerged SGLang PRs #15420 / #17530 ("0-1:bf16,62-63:bf16").
      {"sglang",
       "--kv-cache-per-layer-dtype",
       ValueKind::kLayerRanges,
       {"bf16", "fp8_e4m3", "fp4_e2m1"},
       "sgl-project/sglang PR #17530 description (closed unmerged)"},
      // TensorRT-LLM: KvCacheConfig.dtype: str = "auto"; "fp8" and "nvfp4" select the quantized caches.
      {"tensorrt-llm",
       "kv_cache_config.dtype",
       ValueKind::kOneOf,
       {"auto", "fp8", "nvfp4"},
       "NVIDIA/TensorRT-LLM tensorrt_llm/llmapi/llm_args.py (KvCacheConfig.dtype) and "
       "tensorrt_llm/_torch/pyexecutor/kv_cache_manager_v2.py (dtype == \"nvfp4\"), main 2026"},
      {"tensorrt-llm",
       "kv_cache_config.dtype",
       ValueKind::kLayerRanges,
       {"auto", "fp8", "nvfp4"},
       "NVIDIA/TensorRT-LLM PR #13695 (open): range syntax \"0-3:fp8,4-35:nvfp4\""},
      // llama.cpp: -ctk/-ctv allowed values f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1;
      // "-fa, --flash-attn [on|off|auto]".
      {"llama.cpp", "-ctk", ValueKind::kOneOf, kGgmlTypes, "ggml-org/llama.cpp tools/server/README.md @ 00dc8057"},
      {"llama.cpp", "-ctv", ValueKind::kOneOf, kGgmlTypes, "ggml-org/llama.cpp tools/server/README.md @ 00dc8057"},
      {"llama.cpp",
       "-fa",
       ValueKind::kOneOf,
       {"on"},
       "ggml-org/llama.cpp common/arg.cpp (add_opt {\"-fa\", \"--flash-attn\"} \"[on|off|auto]\"), b6327+"},
      // ik_llama.cpp: kv_cache_type_from_str f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1, q6_0, q8_KV;
      // --cache-type-{k,v}-{first,last} TYPE,N; -fa (auto|on|off|0|1).
      {"ik_llama.cpp",
       "-ctk",
       ValueKind::kOneOf,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (2026-08-15)"},
      {"ik_llama.cpp",
       "-ctv",
       ValueKind::kOneOf,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd"},
      {"ik_llama.cpp",
       "--cache-type-k-first",
       ValueKind::kTypeCount,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (PR #1599)"},
      {"ik_llama.cpp",
       "--cache-type-k-last",
       ValueKind::kTypeCount,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (PR #1599)"},
      {"ik_llama.cpp",
       "--cache-type-v-first",
       ValueKind::kTypeCount,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (PR #1599)"},
      {"ik_llama.cpp",
       "--cache-type-v-last",
       ValueKind::kTypeCount,
       {"f16", "q8_0", "q5_0", "q4_0"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (PR #1599)"},
      {"ik_llama.cpp",
       "-fa",
       ValueKind::kOneOf,
       {"on"},
       "ikawrakow/ik_llama.cpp common/common.cpp @ 8337e4cd (\"-fa, --flash-attn (auto|on|off|0|1)\", PR #944)"},
      // LMDeploy: QuantPolicy NONE = 0, INT4 = 4, INT8 = 8 (also FP8 = 16, FP8_E5M2 = 17, TURBO_QUANT = 42).
      {"lmdeploy",
       "--quant-policy",
       ValueKind::kOneOf,
       {"0", "4", "8"},
       "InternLM/lmdeploy lmdeploy/cli/utils.py and lmdeploy/messages.py (QuantPolicy) @ 1263d5cd (v0.16.0)"},
  };
  return flags;
}

bool value_allowed(const PinnedFlag& pin, const std::string& value) {
  static const std::regex indices("[0-9]+");
  switch (pin.kind) {
    case ValueKind::kOneOf:
      return pin.values.count(value) > 0;
    case ValueKind::kLayerIndices:
      return std::regex_match(value, indices);
    case ValueKind::kTypeCount: {
      auto comma = value.find(',');
      return comma != std::string::npos && pin.values.count(value.substr(0, comma)) &&
             std::regex_match(value.substr(comma + 1), indices);
    }
    case ValueKind::kLayerRanges: {
      static const std::regex range("([0-9]+|[0-9]+-[0-9]+):([a-z0-9_]+)");
      size_t start = 0;
      int items = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::smatch m;
        if (!std::regex_match(item, m, range) || !pin.values.count(m[2].str())) return false;
        ++items;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return items >= 2;  // a single dtype is written with the plain flag
    }
  }
  return false;
}

// Shell-like words: spaces separate, double quotes group (the SGLang range string is quoted).
std::vector<std::string> words(const std::string& text, bool& unbalanced) {
  std::vector<std::string> out;
  std::string word;
  bool quoted = false, any = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted, any = true;
    } else if (c == ' ' && !quoted) {
      if (any) out.push_back(word);
      word.clear(), any = false;
    } else {
      word += c, any = true;
    }
  }
  unbalanced = quoted;
  if (any) out.push_back(word);
  return out;
}

struct Checked {
  std::string problem;         // empty when every token is pinned
  std::set<std::string> used;  // the flags the invocation used
};

// Checks one invocation token by token against the pinned flags of `engine`.
Checked check_invocation(const std::string& engine, const std::string& invocation) {
  Checked r;
  auto pins_for = [&](const std::string& flag) {
    std::vector<const PinnedFlag*> out;
    for (const auto& p : pinned_flags())
      if (p.engine == engine && p.flag == flag) out.push_back(&p);
    return out;
  };
  auto accepted = [&](const std::string& flag, const std::string& value) {
    auto pins = pins_for(flag);
    return std::any_of(pins.begin(), pins.end(), [&](const PinnedFlag* p) { return value_allowed(*p, value); });
  };
  if (engine == "tensorrt-llm") {  // LLM API options (YAML), not command-line flags
    YAML::Node options;
    try {
      options = YAML::Load(invocation);
    } catch (const YAML::Exception& e) {
      return r.problem = "not YAML: " + e.msg, r;
    }
    if (!options.IsMap() || options.size() != 1 || !options["kv_cache_config"].IsMap() ||
        options["kv_cache_config"].size() != 1 || !options["kv_cache_config"]["dtype"].IsScalar())
      return r.problem = "not {kv_cache_config: {dtype: ...}}", r;
    std::string dtype = options["kv_cache_config"]["dtype"].Scalar();
    if (!accepted("kv_cache_config.dtype", dtype)) r.problem = "dtype '" + dtype + "' is not pinned";
    r.used.insert("kv_cache_config.dtype");
    return r;
  }
  bool unbalanced = false;
  auto w = words(invocation, unbalanced);
  if (unbalanced) return r.problem = "unbalanced quotes", r;
  for (size_t i = 0; i < w.size();) {
    const std::string& flag = w[i];
    auto pins = pins_for(flag);
    if (pins.empty()) return r.problem = "'" + flag + "' is not a pinned flag", r;
    if (i + 1 >= w.size()) return r.problem = "'" + flag + "' has no value", r;  // e.g. a bare -fa
    bool indices = pins.front()->kind == ValueKind::kLayerIndices;
    size_t j = i + 1;
    do {
      if (!accepted(flag, w[j])) return r.problem = "'" + flag + " " + w[j] + "' is not a pinned value", r;
      ++j;
    } while (indices && j < w.size() && w[j][0] != '-');
    r.used.insert(flag);
    i = j;
  }
  return r;
}

// Deterministic spread of configs: hand-made shapes plus pseudo-random ones.
std::vector<std::vector<std::string>> configs() {
  std::vector<std::vector<std::string>> out = {
      {"KV8", "KV8"},   {"KV4", "KV4", "KV4"}, {"KV2", "K4V2", "KV2"},        {"KV16", "KV16"},
      {"KV16", "K8V4"}, {"K8V4", "KV4"},       {"KV8", "KV4", "KV4", "K8V4"}, {"KV2", "KV2", "KV2", "KV8"},
      {"K5V5", "KV4"},  {"KV6", "K3V1"},       {"K16V2", "KV2", "KV2"},
  };
  const std::vector<std::string> pairs = {"KV16", "KV8", "K8V4", "KV4", "K4V2", "KV2", "K6V5", "K3V3", "KV1"};
  uint32_t state = 12345;
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int c = 0; c < 40; ++c) {
    std::vector<std::string> layers(2 + next() % 7);
    for (auto& l : layers) l = pairs[(next() >> 8) % pairs.size()];
    out.push_back(layers);
  }
  return out;
}

std::vector<EngineProjection> project(const std::string& engine, const EngineInput& input) {
  return find_engine(engine).project(input);
}

}  // namespace

TEST_CASE("engine flags: every invocation uses only pinned spellings and values", "[search][export]") {
  std::map<std::string, std::set<std::string>> used;  // engine → flags seen
  for (const std::string engine : {"vllm", "sglang", "tensorrt-llm", "llama.cpp", "lmdeploy"}) {
    for (const auto& layers : configs()) {
      for (double budget : {3.0, 4.5, 6.25, 9.0, 16.0}) {
        EngineInput input;
        input.layer_pairs = kvt::test::pairs_of(layers);
        input.budget_effective_bits = budget;
        for (const auto& p : project(engine, input)) {
          Checked c = check_invocation(p.label, p.invocation);
          INFO(p.label << ": " << p.invocation);
          CHECK(c.problem == "");
          used[p.label].insert(c.used.begin(), c.used.end());
        }
      }
    }
  }
  // Every pinned flag is emitted by some config: the pins describe what kvtuner writes, nothing stale.
  for (const auto& pin : pinned_flags()) {
    INFO(pin.engine << " " << pin.flag << " (" << pin.source << ")");
    CHECK(used[pin.engine].count(pin.flag) == 1);
  }
}

TEST_CASE("engine flags: every dtype kvtuner can choose is a value the engine takes", "[search][export]") {
  auto pinned_values = [](const std::string& engine) {
    std::set<std::string> values;
    for (const auto& p : pinned_flags())
      if (p.engine == engine) values.insert(p.values.begin(), p.values.end());
    return values;
  };
  // vLLM and TensorRT-LLM menus name their own dtypes; SGLang's bf16 is written "auto" or "bf16" (both valid).
  for (const std::string engine : {"vllm", "sglang", "tensorrt-llm", "llama.cpp"}) {
    for (const auto& t : engine_dtype_menu(engine, 128)) {
      INFO(engine << " " << t.name);
      CHECK(pinned_values(engine).count(t.name) == 1);
    }
  }
  // ik_llama.cpp rounds up to q4_0, q5_0, q8_0, f16 only.
  for (const auto& layers :
       std::vector<std::vector<std::string>>{{"KV16", "KV4", "KV4", "K5V5"}, {"KV8", "KV4", "KV4", "KV4"}}) {
    EngineInput in;
    in.layer_pairs = kvt::test::pairs_of(layers);
    in.budget_effective_bits = 8.0;
    auto ik = find_engine("llama.cpp").project(in);
    REQUIRE(ik.size() == 2);
    for (const auto& l : ik[1].layers) {
      CHECK(pinned_values("ik_llama.cpp").count(l.key.name) == 1);
      CHECK(pinned_values("ik_llama.cpp").count(l.value.name) == 1);
    }
  }
}

TEST_CASE("engine flags: the pin check refuses a bare -fa, an unknown dtype or flag", "[search][export]") {
  // The checker itself must fail on what the engines refuse, or the test above could not fail.
  CHECK(check_invocation("llama.cpp", "-ctk q4_0 -ctv q4_0 -fa").problem == "'-fa' has no value");
  CHECK(check_invocation("llama.cpp", "-ctk q4_0 -ctv q4_0 -fa -c 4096").problem == "'-fa -c' is not a pinned value");
  CHECK(check_invocation("llama.cpp", "-ctk q4_0 -ctv q4_0 -fa on").problem == "");
  CHECK(check_invocation("llama.cpp", "-ctk q3_0 -ctv q4_0").problem == "'-ctk q3_0' is not a pinned value");
  CHECK(check_invocation("vllm", "--kv-cache-dtype fp4").problem == "'--kv-cache-dtype fp4' is not a pinned value");
  CHECK(check_invocation("vllm", "--kv-cache-dtypes fp8").problem == "'--kv-cache-dtypes' is not a pinned flag");
  CHECK(check_invocation("vllm", "--kv-cache-dtype fp8 --kv-cache-dtype-skip-layers 3 7").problem == "");
  CHECK(check_invocation("vllm", "--kv-cache-dtype fp8 --kv-cache-dtype-skip-layers 3,7").problem != "");
  CHECK(check_invocation("lmdeploy", "--quant-policy 2").problem != "");
  CHECK(check_invocation("sglang", "--kv-cache-per-layer-dtype \"0-1:fp8,2:bf16\"").problem != "");  // fp8_e4m3
  CHECK(check_invocation("tensorrt-llm", "kv_cache_config: {dtype: \"int8\"}").problem == "dtype 'int8' is not pinned");
  CHECK(check_invocation("ik_llama.cpp", "-ctk q4_0 -ctv q4_0 --cache-type-k-first q8_0").problem != "");
}

TEST_CASE("engine requirements: versions and hardware follow what was emitted", "[search][export]") {
  auto input = [](const std::vector<std::string>& layers, double budget = 8.0) {
    EngineInput in;
    in.layer_pairs = kvt::test::pairs_of(layers);
    in.budget_effective_bits = budget;
    return in;
  };
  auto has = [](const EngineProjection& p, const char* line) {
    return std::find(p.requirements.begin(), p.requirements.end(), std::string(line)) != p.requirements.end();
  };
  // vLLM nvfp4 with a skipped layer: the nvfp4 cache, the skip flag, and their combination.
  auto nvfp4 = find_engine("vllm").project(input({"KV4", "KV4", "KV4", "KV8"}))[0];
  REQUIRE(nvfp4.invocation == "--kv-cache-dtype nvfp4 --kv-cache-dtype-skip-layers 3");
  CHECK(nvfp4.requirements == std::vector<std::string>{requirement::kVllmNvfp4, requirement::kVllmSkipLayers,
                                                       requirement::kVllmNvfp4SkipLayers});
  CHECK_THAT(requirement::kVllmNvfp4, Catch::Contains("Blackwell") && Catch::Contains("SM100"));
  auto fp8 = find_engine("vllm").project(input({"KV8", "KV8"}))[0];
  CHECK(fp8.requirements == std::vector<std::string>{requirement::kVllmFp8});
  CHECK(find_engine("vllm").project(input({"KV16"}))[0].requirements.empty());  // --kv-cache-dtype auto needs nothing
  // SGLang: per-layer string and fp4.
  auto sglang = find_engine("sglang").project(input({"KV8", "KV4"}))[0];
  CHECK(has(sglang, requirement::kSglangPerLayer));
  CHECK(has(sglang, requirement::kSglangFp4));
  CHECK(has(sglang, requirement::kSglangFp8));
  CHECK(find_engine("sglang").project(input({"KV16"}))[0].requirements.empty());
  // TensorRT-LLM: the PyTorch backend always; the unmerged per-layer string only when used.
  auto trt = find_engine("tensorrt-llm").project(input({"KV8", "KV4"}))[0];
  CHECK(has(trt, requirement::kTrtllmPytorch));
  CHECK(has(trt, requirement::kTrtllmPerLayer));
  CHECK(has(trt, requirement::kTrtllmNvfp4));
  CHECK_FALSE(has(find_engine("tensorrt-llm").project(input({"KV8"}))[0], requirement::kTrtllmPerLayer));
  // llama.cpp: -fa on only with a quantized V cache.
  auto quantized_v = find_engine("llama.cpp").project(input({"KV4", "KV4"}, 4.5))[0];
  CHECK(quantized_v.invocation == "-ctk q4_0 -ctv q4_0 -fa on");
  CHECK(has(quantized_v, requirement::kLlamaCppFlashAttn));
  CHECK(quantized_v.settings["flash_attn"] == "on");
  auto f16_v = find_engine("llama.cpp").project(input({"KV16"}, 16.0))[0];
  CHECK(f16_v.invocation == "-ctk f16 -ctv f16");
  CHECK(f16_v.requirements.empty());
  // ik_llama.cpp first/last flags.
  auto ik = find_engine("llama.cpp").project(input({"KV8", "KV4", "KV4", "KV4"}, 6.0));
  REQUIRE(ik.size() == 2);
  CHECK(ik[1].requirements == std::vector<std::string>{requirement::kIkFirstLast, requirement::kIkFlashAttn});
  // LMDeploy: only quantized policies have a requirement.
  CHECK(find_engine("lmdeploy").project(input({"KV8"}, 8.25))[0].requirements ==
        std::vector<std::string>{requirement::kLmdeployQuant});
  CHECK(find_engine("lmdeploy").project(input({"KV16"}, 16.0))[0].requirements.empty());
}
