// Engine projections on hand-built configs; every expected string and number is worked out by hand
// in the comments from the rules in docs/formats.md.
#include <catch2/catch.hpp>

#include <algorithm>

#include "search/interop/engine_registry.h"
#include "search/interop/exporter.h"
#include "tests/search/export_test_support.h"

using namespace kvt::interop;
using kvt::test::pairs_of;
using kvt::test::table_of;

namespace {

EngineInput input_of(const std::vector<std::string>& pairs, double budget = 0, int head_dim = 128) {
  EngineInput input;
  input.layer_pairs = pairs_of(pairs);
  input.budget_effective_bits = budget;
  input.head_dim = head_dim;
  return input;
}

std::string names_of(const ProjectedConfig& layers) {
  std::string out;
  for (const auto& l : layers) out += (out.empty() ? "" : " ") + l.key.name + "/" + l.value.name;
  return out;
}

}  // namespace

TEST_CASE("vllm: fp8 with skip layers when it is the cheaper projection", "[search][export]") {
  // Needs (max of K, V): 8, 4, 8, 2, 16. fp8: four fp8 + one auto = (4·8 + 16)/5 = 9.6 bits.
  // nvfp4: 8 → auto, 4 → nvfp4, 8 → auto, 2 → nvfp4, 16 → auto = (3·16 + 2·4.5)/5 = 11.4. fp8 wins.
  auto out = find_engine("vllm").project(input_of({"KV8", "K4V2", "K8V4", "KV2", "KV16"}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].invocation == "--kv-cache-dtype fp8 --kv-cache-dtype-skip-layers 4");
  CHECK(names_of(out[0].layers) == "fp8/fp8 fp8/fp8 fp8/fp8 fp8/fp8 auto/auto");
  CHECK(out[0].settings["kv_cache_dtype_skip_layers"].dump() == "[\"4\"]");
  CHECK(out[0].settings["layer_dtypes"]["4"] == "auto");
  BitsSummary s = summarize(out[0].layers, nullptr);
  CHECK(s.nominal_bits == Approx(9.6));
  CHECK(s.effective_bits == Approx(9.6));
}

TEST_CASE("vllm: nvfp4 with skip layers, or fp8 only when restricted", "[search][export]") {
  // nvfp4: 3 × 4.5 + 16 → 7.375 bits; fp8: 4 × 8 → 8.0. nvfp4 is cheaper; layer 3 (KV8) is skipped.
  auto out = find_engine("vllm").project(input_of({"K4V2", "KV4", "KV2", "KV8"}));
  CHECK(out[0].invocation == "--kv-cache-dtype nvfp4 --kv-cache-dtype-skip-layers 3");
  CHECK(summarize(out[0].layers, nullptr).effective_bits == Approx(7.375));
  auto in = input_of({"K4V2", "KV4", "KV2", "KV8"});
  in.allowed_dtypes = {"fp8"};
  CHECK(find_engine("vllm").project(in)[0].invocation == "--kv-cache-dtype fp8");
  // Every layer unquantized: no skip list, plain auto.
  CHECK(find_engine("vllm").project(input_of({"KV16", "K16V8"}))[0].invocation == "--kv-cache-dtype auto");
  in.allowed_dtypes = {"auto"};
  CHECK(find_engine("vllm").project(in)[0].invocation == "--kv-cache-dtype auto");
}

TEST_CASE("sglang: per-layer range string, K = V rounded up", "[search][export]") {
  // Needs 8, 8, 4, 2, 16, 16 → fp8_e4m3 ×2, fp4_e2m1 ×2, bf16 ×2.
  auto out = find_engine("sglang").project(input_of({"KV8", "K8V4", "K4V2", "KV2", "KV16", "K2V16"}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].invocation == "--kv-cache-per-layer-dtype \"0-1:fp8_e4m3,2-3:fp4_e2m1,4-5:bf16\"");
  CHECK(out[0].settings["layer_ranges"] == "0-1:fp8_e4m3,2-3:fp4_e2m1,4-5:bf16");
  BitsSummary s = summarize(out[0].layers, nullptr);
  CHECK(s.nominal_bits == Approx((8 + 8 + 4 + 4 + 16 + 16) / 6.0));
  CHECK(s.effective_bits == Approx((8 + 8 + 4.5 + 4.5 + 16 + 16) / 6.0));
  // One dtype for all layers: the upstream flag.
  CHECK(find_engine("sglang").project(input_of({"K4V2", "KV2"}))[0].invocation == "--kv-cache-dtype fp4_e2m1");
  CHECK(find_engine("sglang").project(input_of({"KV16"}))[0].invocation == "--kv-cache-dtype auto");
  // FP4 not allowed (no hardware): 4-bit layers go to fp8.
  auto in = input_of({"K4V2", "KV8"});
  in.allowed_dtypes = {"fp8_e4m3", "bf16"};
  CHECK(find_engine("sglang").project(in)[0].invocation == "--kv-cache-dtype fp8_e4m3");
}

TEST_CASE("tensorrt-llm: kv_cache_config dtype range string", "[search][export]") {
  std::vector<std::string> pairs(36, "KV4");
  for (int l = 0; l < 4; ++l) pairs[l] = "K8V4";
  auto out = find_engine("tensorrt-llm").project(input_of(pairs));
  CHECK(out[0].invocation == "kv_cache_config: {dtype: \"0-3:fp8,4-35:nvfp4\"}");
  CHECK(out[0].settings["kv_cache_config"]["dtype"] == "0-3:fp8,4-35:nvfp4");
  CHECK(find_engine("tensorrt-llm").project(input_of({"KV8", "K2V8"}))[0].invocation ==
        "kv_cache_config: {dtype: \"fp8\"}");
  // Narrowing restriction: a 16-bit layer with only fp8 allowed gets fp8 and a note.
  auto in = input_of({"KV16", "KV8"});
  in.allowed_dtypes = {"fp8"};
  auto narrowed = find_engine("tensorrt-llm").project(in);
  CHECK(narrowed[0].invocation == "kv_cache_config: {dtype: \"fp8\"}");
  CHECK_THAT(narrowed[0].notes.front(), Catch::Contains("layer 0 needs 16 bits; the widest allowed dtype fp8"));
}

TEST_CASE("llama.cpp: global pair within the searched memory", "[search][export]") {
  // Searched K8V4 per-token (head_dim 128): (8.25 + 4.25)/2 = 6.25 bits. Most bits within 6.25: q5_1/q5_1 = 6.0.
  auto out = find_engine("llama.cpp").project(input_of({"K8V4", "K8V4"}, 6.25));
  REQUIRE(out.size() == 1);
  CHECK(out[0].invocation == "-ctk q5_1 -ctv q5_1 -fa on");
  CHECK(out[0].settings["cache_type_k"] == "q5_1");
  // KIVI K8V4 (groups of 32): (9 + 5)/2 = 7.0 → q8_0/q5_0 (8.5 + 5.5)/2 = 7.0.
  CHECK(find_engine("llama.cpp").project(input_of({"K8V4", "K8V4"}, 7.0))[0].invocation ==
        "-ctk q8_0 -ctv q5_0 -fa on");
  // With a table: the lowest proxy among scorable pairs. K8V4 (0.2/layer) beats KV4 (0.4/layer); q8_0/q4_0 = 6.5.
  auto in = input_of({"K8V4", "K8V4"}, 7.0);
  auto table = table_of({"KV8", "K8V4", "KV4"}, {{0.1, 0.2, 0.4}, {0.1, 0.2, 0.4}});
  in.table = &table;
  auto scored = find_engine("llama.cpp").project(in);
  CHECK(scored[0].invocation == "-ctk q8_0 -ctv q4_0 -fa on");
  BitsSummary s = summarize(scored[0].layers, &table);
  REQUIRE(s.proxy_error);
  CHECK(*s.proxy_error == Approx(0.4));
  CHECK(s.nominal_bits == Approx(6.0));
  CHECK(s.effective_bits == Approx(6.5));
  // KIVI KV2 = 3.0 bits: nothing fits; the cheapest pair and a note.
  auto tight = find_engine("llama.cpp").project(input_of({"KV2", "KV2"}, 3.0));
  CHECK(tight[0].invocation == "-ctk q4_0 -ctv q4_0 -fa on");
  bool noted = false;
  for (const auto& n : tight[0].notes) noted = noted || n.find("no llama.cpp setting fits") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("llama.cpp: ik_llama.cpp first/last flags when the config has that shape", "[search][export]") {
  // K: q8_0, q4_0 ×4, q8_0 → first q8_0,1 / body q4_0 / last q8_0,1. V: q8_0, q4_0 ×5 → first q8_0,1 / body q4_0.
  auto out = find_engine("llama.cpp").project(input_of({"KV8", "KV4", "KV4", "KV4", "KV4", "K8V4"}, 6.0));
  REQUIRE(out.size() == 2);
  CHECK(out[1].label == "ik_llama.cpp");
  CHECK(out[1].invocation ==
        "-ctk q4_0 -ctv q4_0 --cache-type-k-first q8_0,1 --cache-type-k-last q8_0,1 --cache-type-v-first q8_0,1"
        " -fa on");
  CHECK(out[1].settings["cache_type_k_last"]["layers"] == 1);
  BitsSummary s = summarize(out[1].layers, nullptr);
  CHECK(s.nominal_bits == Approx(30.0 / 6));    // 8, 4, 4, 4, 4, 6
  CHECK(s.effective_bits == Approx(33.0 / 6));  // 8.5, 4.5 ×4, 6.5
  // Two runs with the longer first: the second becomes a "last" override.
  auto tail = find_engine("llama.cpp").project(input_of({"KV2", "KV2", "KV2", "KV8"}, 6.0));
  REQUIRE(tail.size() == 2);
  CHECK(tail[1].invocation == "-ctk q4_0 -ctv q4_0 --cache-type-k-last q8_0,1 --cache-type-v-last q8_0,1 -fa on");
  // Alternating layers are not first/last shaped; uniform configs need no overrides.
  CHECK(find_engine("llama.cpp").project(input_of({"KV8", "KV4", "KV8", "KV4", "KV8"}, 6.0)).size() == 1);
  CHECK(find_engine("llama.cpp").project(input_of({"KV4", "K4V2"}, 6.0)).size() == 1);  // both round to q4_0/q4_0
}

TEST_CASE("lmdeploy: one quant policy within the searched memory", "[search][export]") {
  // head_dim 128: int4 = 4.25, int8 = 8.25 bits.
  CHECK(find_engine("lmdeploy").project(input_of({"KV4", "KV4"}, 4.25))[0].invocation ==
        "--quant-policy 4");  // exact fit
  CHECK(find_engine("lmdeploy").project(input_of({"KV8", "KV4"}, 6.25))[0].invocation == "--quant-policy 4");
  CHECK(find_engine("lmdeploy").project(input_of({"KV8", "KV8"}, 8.25))[0].invocation == "--quant-policy 8");
  CHECK(find_engine("lmdeploy").project(input_of({"KV16"}, 16.0))[0].invocation == "--quant-policy 0");
  auto tight = find_engine("lmdeploy").project(input_of({"KV2", "KV2"}, 3.0));
  CHECK(tight[0].invocation == "--quant-policy 4");
  CHECK_THAT(tight[0].notes.back(), Catch::Contains("no lmdeploy setting fits in the searched config's 3.0000"));
  // head_dim 64: int4 = 4.5 does not fit 4.25, nothing does → int4 with the note.
  CHECK(find_engine("lmdeploy").project(input_of({"KV4"}, 4.25, 64))[0].settings["quant_policy"] == 4);
  // With a table: KV8 is scored lower than KV4 and fits 8.25.
  auto in = input_of({"KV8", "KV8"}, 8.25);
  auto table = table_of({"KV8", "KV4"}, {{0.1, 0.3}, {0.1, 0.3}});
  in.table = &table;
  CHECK(find_engine("lmdeploy").project(in)[0].invocation == "--quant-policy 8");
}

TEST_CASE("the engine table: every engine is an export format with a menu, unknown names are refused",
          "[search][export]") {
  const auto& formats = export_formats();
  REQUIRE(formats.size() == 2 + engines().size());
  CHECK(formats[0] == "kvtuner-yaml");
  CHECK(formats[1] == "json");
  for (size_t i = 0; i < engines().size(); ++i) {
    const EngineSpec& e = engines()[i];
    CAPTURE(e.name);
    CHECK(formats[2 + i] == e.name);
    CHECK(&find_engine(e.name) == &e);
    CHECK_FALSE(e.help.empty());
    auto menu = e.dtype_menu(128);
    REQUIRE_FALSE(menu.empty());
    // Every menu keeps an unquantized dtype (what layers that need more bits fall back to).
    CHECK(std::any_of(menu.begin(), menu.end(), [](const StorageType& t) { return t.nominal_bits == 16; }));
    CHECK(engine_dtype_menu(e.name, 128).size() == menu.size());
  }
  REQUIRE_THROWS_WITH(find_engine("mlx", "--to"),
                      Catch::Contains("--to: unknown engine 'mlx'") &&
                          Catch::Contains("vllm, sglang, tensorrt-llm, llama.cpp, lmdeploy"));
}
