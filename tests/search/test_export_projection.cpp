// Building blocks of export projections: storage costs, range strings, round-up, summaries, global pairs.
#include <catch2/catch.hpp>

#include "search/interop/projection.h"
#include "tests/search/export_test_support.h"

using namespace kvt::interop;
using kvt::test::config_of;
using kvt::test::table_of;

TEST_CASE("kvtuner storage: codes plus a bf16 scale and zero per group", "[search][export]") {
  CHECK(kvtuner_storage(4, 128).effective_bits == Approx(4.25));  // per-token, head_dim 128: +32/128
  CHECK(kvtuner_storage(2, 32).effective_bits == Approx(3.0));    // KIVI groups of 32: +1
  CHECK(kvtuner_storage(8, 64).effective_bits == Approx(8.5));
  CHECK(kvtuner_storage(16, 32).effective_bits == 16.0);  // unquantized: no scales
  CHECK(kvtuner_storage(16, 32).name == "bf16");
  CHECK(kvtuner_storage(4, 128).name == "int4");
  CHECK(kvtuner_storage(4, GroupRule{32, true}).effective_bits == Approx(4.5));  // symmetric: scale only
}

TEST_CASE("engine dtype menus follow the block conventions", "[search][export]") {
  auto ggml = engine_dtype_menu("llama.cpp", 128);
  auto bits_of = [&](const std::string& name) {
    for (const auto& t : ggml)
      if (t.name == name) return t.effective_bits;
    return -1.0;
  };
  CHECK(bits_of("q8_0") == 8.5);
  CHECK(bits_of("q4_0") == 4.5);
  CHECK(bits_of("q4_1") == 5.0);
  CHECK(bits_of("q5_0") == 5.5);
  CHECK(bits_of("q5_1") == 6.0);
  CHECK(bits_of("f16") == 16.0);
  auto lmdeploy = engine_dtype_menu("lmdeploy", 64);
  CHECK(lmdeploy[1].name == "int4");
  CHECK(lmdeploy[1].effective_bits == Approx(4.5));  // 4 + 32/64
  REQUIRE_THROWS_WITH(engine_dtype_menu("ollama", 128), Catch::Contains("unknown engine 'ollama'"));
}

TEST_CASE("restrict_menu keeps the engine's order and rejects unknown dtypes", "[search][export]") {
  auto menu = engine_dtype_menu("tensorrt-llm", 128);
  auto kept = restrict_menu(menu, {"auto", "fp8"}, "tensorrt-llm");
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].name == "fp8");
  CHECK(kept[1].name == "auto");
  CHECK(restrict_menu(menu, {}, "tensorrt-llm").size() == menu.size());
  REQUIRE_THROWS_WITH(
      restrict_menu(menu, {"int4"}, "tensorrt-llm"),
      Catch::Contains("--engine-dtypes: 'int4' is not a tensorrt-llm KV-cache dtype (fp8, nvfp4, auto)"));
}

TEST_CASE("layer range strings", "[search][export]") {
  std::vector<std::string> names(36, "int4");
  for (int l = 0; l < 4; ++l) names[l] = "fp8";
  CHECK(layer_range_string(names) == "0-3:fp8,4-35:int4");
  CHECK(layer_range_string({"a", "b", "b", "a"}) == "0:a,1-2:b,3:a");
  CHECK(layer_range_string({"x"}) == "0:x");
  CHECK(layer_range_string({}).empty());
}

TEST_CASE("round_up picks the cheapest dtype with enough bits", "[search][export]") {
  auto menu = engine_dtype_menu("sglang", 128);
  CHECK(round_up(menu, 2).name == "fp4_e2m1");
  CHECK(round_up(menu, 4).name == "fp4_e2m1");
  CHECK(round_up(menu, 5).name == "fp8_e4m3");
  CHECK(round_up(menu, 8).name == "fp8_e4m3");
  CHECK(round_up(menu, 16).name == "bf16");
  auto ggml = engine_dtype_menu("llama.cpp", 128);
  CHECK(round_up(ggml, 4).name == "q4_0");  // q4_0 and iq4_nl tie at 4.5: menu order; q4_1 costs 5.0
  CHECK(round_up(ggml, 5).name == "q5_0");
  CHECK(round_up(ggml, 6).name == "q8_0");
  bool covered = true;
  CHECK(round_up(restrict_menu(menu, {"fp8_e4m3"}, "sglang"), 16, &covered).name == "fp8_e4m3");
  CHECK_FALSE(covered);
}

TEST_CASE("summaries: nominal, effective and proxy error", "[search][export]") {
  auto table = table_of({"KV8", "K8V4", "KV4"}, {{0.1, 0.2, 0.4}, {0.01, 0.02, 0.04}});
  // Searched, per-token groups of 128: K8V4 → (8.25 + 4.25)/2 = 6.25; KV4 → 4.25.
  BitsSummary s = summarize_searched(config_of({"K8V4", "KV4"}), 128, &table);
  CHECK(s.nominal_bits == Approx(5.0));
  CHECK(s.effective_bits == Approx(5.25));
  REQUIRE(s.proxy_error);
  CHECK(*s.proxy_error == Approx(0.2 + 0.04));
  // KV16 is not in the table: unquantized layers add 0.
  BitsSummary full = summarize_searched(config_of({"KV16", "KV8"}), 128, &table);
  REQUIRE(full.proxy_error);
  CHECK(*full.proxy_error == Approx(0.01));
  // A pair the table lacks: no proxy error, and the note names it.
  BitsSummary missing = summarize_searched(config_of({"KV8", "K4V2"}), 128, &table);
  CHECK_FALSE(missing.proxy_error);
  CHECK(missing.proxy_note == "the table has no K4V2 (layer 1)");
  BitsSummary no_table = summarize_searched(config_of({"KV8"}), 32, nullptr);
  CHECK(no_table.effective_bits == Approx(9.0));
  CHECK_FALSE(no_table.proxy_error);
}

TEST_CASE("per-head summaries and covering pairs", "[search][export]") {
  kvt::KvConfig c;
  c.heads = {{{8, 2}, {4, 4}}, {{2, 2}, {2, 2}}};
  auto covering = covering_layer_pairs(c);
  REQUIRE(covering.size() == 2);
  CHECK(covering[0] == kvt::PrecisionPair{8, 4});
  CHECK(covering[1] == kvt::PrecisionPair{2, 2});
  auto table = table_of({"KV4", "KV2"}, {{0.5, 1.0}, {0.25, 0.75}});
  BitsSummary s = summarize_searched(c, 32, &table);
  CHECK(s.nominal_bits == Approx((5 + 4 + 2 + 2) / 4.0));
  CHECK(s.effective_bits == Approx((6 + 5 + 3 + 3) / 4.0));
  CHECK_FALSE(s.proxy_error);
  CHECK_THAT(s.proxy_note, Catch::Contains("different pairs within a layer"));
  c.heads[0] = {{4, 4}, {4, 4}};
  BitsSummary uniform = summarize_searched(c, 32, &table);
  REQUIRE(uniform.proxy_error);
  CHECK(*uniform.proxy_error == Approx(0.5 + 0.75));
}

TEST_CASE("best_global_pair: most bits within the budget, or lowest proxy with a table", "[search][export]") {
  auto ggml = engine_dtype_menu("llama.cpp", 128);
  bool fits = false;
  // Budget 6.25: q5_1/q5_1 = 6.0 is the most bits that fit (q8_0 + q4_0 = 6.5 does not).
  LayerStorage a = best_global_pair(ggml, false, 6.25, 2, nullptr, &fits);
  CHECK(fits);
  CHECK(a.key.name == "q5_1");
  CHECK(a.value.name == "q5_1");
  // Budget 7.0: q8_0/q5_0 and q5_0/q8_0 both reach 7.0; more key bits wins.
  LayerStorage b = best_global_pair(ggml, false, 7.0, 2, nullptr, &fits);
  CHECK(b.key.name == "q8_0");
  CHECK(b.value.name == "q5_0");
  // With a table only scorable pairs compete: K8V4 has the lowest error; q8_0/q4_0 is its cheapest form.
  auto table = table_of({"KV8", "K8V4", "KV4"}, {{0.1, 0.2, 0.4}, {0.1, 0.2, 0.4}});
  LayerStorage c = best_global_pair(ggml, false, 7.0, 2, &table, &fits);
  CHECK(c.key.name == "q8_0");
  CHECK(c.value.name == "q4_0");
  // Nothing fits 3.0 bits: the cheapest pair, flagged.
  LayerStorage d = best_global_pair(ggml, false, 3.0, 2, nullptr, &fits);
  CHECK_FALSE(fits);
  CHECK(d.key.name == "q4_0");
  CHECK(d.value.name == "q4_0");
  // K = V only.
  LayerStorage e = best_global_pair(ggml, true, 7.0, 2, nullptr, &fits);
  CHECK(e.key.name == "q5_1");
  CHECK(e.value.name == "q5_1");
}
