// SensitivityTable JSON/CSV forms and validation: round trip, field errors that name the field and layer.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "lib/core/error.h"
#include "lib/core/sensitivity_table.h"

using namespace kvt;
namespace fs = std::filesystem;

namespace {

SensitivityTable small_table() {
  SensitivityTable t;
  t.tool_version = "kvtuner 0.1.0";
  t.model_path = "/models/tiny";
  t.model_name = "tiny";
  t.model_hash = "0123456789abcdef";
  t.calib_hash = "fedcba9876543210";
  t.scheme = "kivi";
  t.scheme_params = {{"key_axis", "channel"}, {"group_size", 32}, {"residual", 32}};
  t.prefill_mode = "prefill-fp";
  t.num_layers = 2;
  t.num_kv_heads = 2;
  t.head_dim = 4;
  t.num_prompts = 3;
  t.num_tokens = 123;
  t.pairs = {{8, 8}, {4, 2}};
  t.e_o = {{0.1, 0.2}, {0.3, 0.1 + 0.2}};  // 0.30000000000000004: must survive the round trip exactly
  t.e_k = {{0.01, 0.02}, {0.03, 0.04}};
  t.e_v = {{0.05, 0.06}, {0.07, 0.08}};
  t.e_a = {{1e-5, 2e-5}, {3e-5, 4e-5}};
  t.e_o_per_head = {{{0.1, 0.1}, {0.2, 0.2}}, {{0.3, 0.3}, {0.3, 0.3}}};
  t.effective_bits = {9.0, 4.0};
  t.kv_elements_per_token_per_layer = 16;
  return t;
}

}  // namespace

TEST_CASE("Sensitivity table JSON round trip is exact", "[core]") {
  SensitivityTable t = small_table();
  std::string text = to_json(t).dump();
  SensitivityTable back = sensitivity_table_from_json(nlohmann::json::parse(text), "t.json");
  CHECK(back.model_name == "tiny");
  CHECK(back.scheme_params == t.scheme_params);
  CHECK(back.pairs == t.pairs);
  CHECK(back.e_o == t.e_o);  // bitwise
  CHECK(back.e_o[1][1] == 0.1 + 0.2);
  CHECK(back.e_o_per_head == t.e_o_per_head);
  CHECK(back.effective_bits == t.effective_bits);
  CHECK(back.num_tokens == 123);
  CHECK(to_json(back).dump() == text);  // deterministic: same bytes again
  CHECK(back.pair_index({4, 2}) == 1);
  CHECK(back.pair_index({2, 2}) == -1);
}

TEST_CASE("Sensitivity table CSV has one row per layer and pair", "[core]") {
  std::string csv = to_csv(small_table());
  CHECK(csv ==
        "layer,pair,key_bits,value_bits,mean_bits,effective_bits,e_o,e_k,e_v,e_a,kl,fisher\n"
        "0,KV8,8,8,8,9,0.1,0.01,0.05,1e-05,,\n"
        "0,K4V2,4,2,3,4,0.2,0.02,0.06,2e-05,,\n"
        "1,KV8,8,8,8,9,0.3,0.03,0.07,3e-05,,\n"
        "1,K4V2,4,2,3,4,0.3,0.04,0.08,4e-05,,\n");
}

TEST_CASE("Sensitivity table proxy selects the error table the search uses", "[core]") {
  SensitivityTable t = small_table();
  CHECK(t.proxy == "eo");
  CHECK(&t.proxy_errors() == &t.e_o);
  REQUIRE_THROWS_WITH(t.select_proxy("kl", "--proxy"), Catch::Contains("--proxy kl") && Catch::Contains("no kl"));
  REQUIRE_THROWS_WITH(t.select_proxy("banana", "--proxy"), Catch::Contains("unknown proxy 'banana'"));
  t.kl = {{1e-6, 2e-3}, {3e-6, 1e-3}};
  t.select_proxy("kl", "--proxy");
  CHECK(&t.proxy_errors() == &t.kl);
  SensitivityTable back = sensitivity_table_from_json(to_json(t), "t.json");
  CHECK(back.proxy == "kl");
  CHECK(back.kl == t.kl);
  CHECK(back.fisher.empty());
  nlohmann::json j = to_json(t);
  j["proxy"] = "fisher";
  REQUIRE_THROWS_WITH(sensitivity_table_from_json(j, "t.json"), Catch::Contains("t.json: proxy is 'fisher'"));
  j["proxy"] = "kl";
  j["kl"][1][0] = -1.0;
  REQUIRE_THROWS_WITH(sensitivity_table_from_json(j, "t.json"), Catch::Contains("kl at layer 1, pair KV8"));
}

TEST_CASE("Sensitivity table validation names the field and layer", "[core]") {
  auto fails_with = [](SensitivityTable t, const std::string& text) {
    REQUIRE_THROWS_WITH(t.validate("t.json"), Catch::Contains("t.json") && Catch::Contains(text));
    REQUIRE_THROWS_AS(t.validate("t.json"), InputError);
  };
  SensitivityTable t = small_table();
  CHECK_NOTHROW(t.validate("t.json"));
  {
    auto b = t;
    b.num_layers = 0;
    fails_with(b, "num_layers = 0");
  }
  {
    auto b = t;
    b.pairs.clear();
    fails_with(b, "pairs is empty");
  }
  {
    auto b = t;
    b.pairs[1] = {8, 8};
    fails_with(b, "KV8 is listed twice");
  }
  {
    auto b = t;
    b.e_o.pop_back();
    fails_with(b, "e_o has 1 layers, expected num_layers = 2");
  }
  {
    auto b = t;
    b.e_o[1].pop_back();
    fails_with(b, "e_o[1] has 1 values");
  }
  {
    auto b = t;
    b.e_o[1][0] = std::nan("");
    fails_with(b, "e_o at layer 1, pair KV8");
  }
  {
    auto b = t;
    b.e_k[0][1] = -1;
    fails_with(b, "e_k at layer 0, pair K4V2");
  }
  {
    auto b = t;
    b.e_o_per_head[1][0].pop_back();
    fails_with(b, "e_o_per_head at layer 1, pair KV8 has 1 heads");
  }
  {
    auto b = t;
    b.effective_bits = {9.0};
    fails_with(b, "effective_bits has 1 values");
  }
  {
    auto b = t;
    b.effective_bits[1] = 0;
    fails_with(b, "effective_bits for pair K4V2");
  }
  {
    auto b = t;
    b.e_k.clear();
    CHECK_NOTHROW(b.validate("t.json"));
  }  // optional tables may be absent
}

TEST_CASE("Sensitivity table reading reports file and field errors", "[core]") {
  fs::path dir = fs::temp_directory_path() / ("kvt_sens_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream((dir / name).string()) << text;
    return (dir / name).string();
  };
  nlohmann::json good = to_json(small_table());
  CHECK(read_sensitivity_table(write("good.json", good.dump(1))).e_o == small_table().e_o);
  REQUIRE_THROWS_WITH(read_sensitivity_table((dir / "none.json").string()), Catch::Contains("none.json"));
  REQUIRE_THROWS_WITH(read_sensitivity_table(write("bad.json", "{\"e_o\": [")), Catch::Contains("not valid JSON"));
  nlohmann::json j = good;
  j.erase("e_o");
  REQUIRE_THROWS_WITH(read_sensitivity_table(write("no_eo.json", j.dump())), Catch::Contains("missing field 'e_o'"));
  j = good;
  j["num_layers"] = "two";
  REQUIRE_THROWS_WITH(read_sensitivity_table(write("type.json", j.dump())),
                      Catch::Contains("field 'num_layers' has the wrong type"));
  j = good;
  j["pairs"] = {"KV8", "K9V2"};
  REQUIRE_THROWS_WITH(read_sensitivity_table(write("pair.json", j.dump())),
                      Catch::Contains("pair.json: pairs: precision pair 'K9V2'"));
  j = good;
  j["format"] = "something-else";
  REQUIRE_THROWS_WITH(read_sensitivity_table(write("fmt.json", j.dump())),
                      Catch::Contains("format is 'something-else'"));
  j = good;
  j["format_version"] = 2;
  REQUIRE_THROWS_AS(read_sensitivity_table(write("ver.json", j.dump())), UnsupportedError);
  fs::remove_all(dir);
}
