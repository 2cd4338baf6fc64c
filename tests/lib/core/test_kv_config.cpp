// KvConfig import/export: official preset layout (CRLF), per-head layout, kvtuner YAML metadata, JSON,
// round trips and every validation error.
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "lib/core/kv_config.h"

using kvt::KvConfig;
using kvt::PrecisionPair;

namespace {

KvConfig parse(const std::string& text, int expected_layers = 0) {
  return kvt::parse_kv_config_yaml(text, "cfg.yaml", expected_layers);
}

std::string with_crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

const char* kTwoLayers =
    "0:\n  nbits_key: 2\n  nbits_value: 2\n"
    "1:\n  nbits_key: 4\n  nbits_value: 2\n";

}  // namespace

TEST_CASE("official per-layer preset layout, LF and CRLF", "[core][kv_config]") {
  for (const std::string& text : {std::string(kTwoLayers), with_crlf(kTwoLayers)}) {
    KvConfig c = parse(text);
    REQUIRE_FALSE(c.per_head());
    REQUIRE(c.num_layers() == 2);
    CHECK(c.layers[0] == PrecisionPair{2, 2});
    CHECK(c.layers[1] == PrecisionPair{4, 2});
    // (2+2)/2 and (4+2)/2 → mean of 2 and 3.
    CHECK(c.nominal_bits() == Approx(2.5));
    CHECK(c.metadata.empty());
  }
}

TEST_CASE("layers may appear in any order in the file", "[core][kv_config]") {
  KvConfig c = parse("1:\n  nbits_value: 8\n  nbits_key: 16\n0:\n  nbits_key: 1\n  nbits_value: 3\n");
  CHECK(c.layers[0] == PrecisionPair{1, 3});
  CHECK(c.layers[1] == PrecisionPair{16, 8});
}

TEST_CASE("per-head layout: layer → kv_head → bits", "[core][kv_config]") {
  std::string text;
  for (int l = 0; l < 2; ++l) {
    text += std::to_string(l) + ":\n";
    for (int h = 0; h < 3; ++h)
      text += "  " + std::to_string(h) + ":\n    nbits_key: " + std::to_string(h == 0 ? 8 : 4) +
              "\n    nbits_value: " + std::to_string(l == 0 ? 4 : 2) + "\n";
  }
  KvConfig c = parse(with_crlf(text));
  REQUIRE(c.per_head());
  REQUIRE(c.num_layers() == 2);
  REQUIRE(c.heads[0].size() == 3);
  CHECK(c.heads[0][0] == PrecisionPair{8, 4});
  CHECK(c.heads[1][2] == PrecisionPair{4, 2});
  // Layer 0 heads: 6, 4, 4; layer 1 heads: 5, 3, 3 → 25 / 6.
  CHECK(c.nominal_bits() == Approx(25.0 / 6.0));
  // Byte-exact round trip through the writer (LF) and JSON.
  CHECK(kvt::to_kvtuner_yaml(c) == text);
  KvConfig back = parse(kvt::to_json(c).dump(2));
  CHECK(back.heads == c.heads);
}

TEST_CASE("metadata comment lines round-trip", "[core][kv_config]") {
  KvConfig c = parse(kTwoLayers);
  c.metadata = {{"scheme", "kivi"}, {"budget", 4}, {"groups", {{0, 1}, {2}}}, {"note", "line\nbreak # x"}};
  std::string yaml = kvt::to_kvtuner_yaml(c);
  CHECK(yaml.rfind("# kvtuner: {\"budget\":4}\n", 0) == 0);
  KvConfig back = parse(yaml);
  CHECK(back.metadata == c.metadata);
  CHECK(back.layers == c.layers);
  CHECK(kvt::to_kvtuner_yaml(back) == yaml);
  // Without metadata the text is exactly the official layout.
  CHECK(kvt::to_kvtuner_yaml(c, false) == kTwoLayers);
}

TEST_CASE("JSON form round-trips with metadata", "[core][kv_config]") {
  KvConfig c = parse(kTwoLayers);
  c.metadata = {{"model_hash", "abc"}};
  nlohmann::json j = kvt::to_json(c);
  CHECK(j["layers"][1] == nlohmann::json{{"layer", 1}, {"nbits_key", 4}, {"nbits_value", 2}});
  CHECK(j["nominal_bits"] == 2.5);
  KvConfig back = parse(j.dump());
  CHECK(back.layers == c.layers);
  CHECK(back.metadata == c.metadata);
  CHECK(kvt::to_json(back) == j);
}

TEST_CASE("read_kv_config names a missing file", "[core][kv_config]") {
  REQUIRE_THROWS_WITH(kvt::read_kv_config("/nonexistent/x.yaml"), Catch::Contains("/nonexistent/x.yaml"));
}

TEST_CASE("invalid configs are rejected with file, layer and field", "[core][kv_config]") {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "has no layers"},
      {"- 1\n- 2\n", "expected a mapping"},
      {"0:\n  nbits_key: 2\n  nbits_value: 2\n0:\n  nbits_key: 4\n  nbits_value: 4\n",
       "layer 0 appears more than once"},
      {"0:\n  nbits_key: 2\n  nbits_value: 2\n2:\n  nbits_key: 4\n  nbits_value: 4\n", "layer 1 is missing"},
      {"1:\n  nbits_key: 2\n  nbits_value: 2\n", "layer 0 is missing"},
      {"-1:\n  nbits_key: 2\n  nbits_value: 2\n", "layer -1 is negative"},
      {"a:\n  nbits_key: 2\n  nbits_value: 2\n", "key 'a' (a string) is not an integer layer index"},
      {"0:\n  nbits_key: 2\n", "layer 0: missing field nbits_value"},
      {"0:\n  nbits_value: 2\n", "layer 0: missing field nbits_key"},
      {"0:\n  nbits_key: 3\n  nbits_value: 9\n", "layer 0: nbits_value = 9 is not in 1..8 or 16"},
      {"0:\n  nbits_key: 0\n  nbits_value: 2\n", "nbits_key = 0 is not in 1..8 or 16"},
      {"0:\n  nbits_key: 4.5\n  nbits_value: 2\n", "layer 0: nbits_key is '4.5' (a float), expected an integer"},
      {"0:\n  nbits_key: four\n  nbits_value: 2\n", "nbits_key is 'four'"},
      {"0:\n  nbits_key: \"4\"\n  nbits_value: 2\n", "nbits_key is '4' (a string), expected an integer"},
      {"0:\n  nbits_key: [4]\n  nbits_value: 2\n", "nbits_key is a list"},
      {"0:\n  nbits_key: 4\n  nbits_key: 4\n  nbits_value: 2\n", "field 'nbits_key' appears twice"},
      {"0:\n  nbits_key: 4\n  nbits_val: 2\n", "unknown field 'nbits_val'"},
      {"0: 4\n", "layer 0: expected a mapping with nbits_key and nbits_value"},
      {"0:\n  0:\n    nbits_key: 4\n    nbits_value: 4\n1:\n  nbits_key: 4\n  nbits_value: 4\n",
       "layer 1: expected kv_head"},
      {"0:\n  nbits_key: 4\n  nbits_value: 4\n1:\n  0:\n    nbits_key: 4\n    nbits_value: 4\n",
       "layer 1: uses the per-head layout"},
      {"0:\n  0: {nbits_key: 4, nbits_value: 4}\n  1: {nbits_key: 4, nbits_value: 4}\n"
       "1:\n  0: {nbits_key: 4, nbits_value: 4}\n",
       "layer 1: has 1 kv_heads but layer 0 has 2"},
      {"0:\n  0: {nbits_key: 4, nbits_value: 4}\n  0: {nbits_key: 2, nbits_value: 2}\n",
       "layer 0: kv_head 0 appears more than once"},
      {"0:\n  0: {nbits_key: 4, nbits_value: 4}\n  2: {nbits_key: 4, nbits_value: 4}\n",
       "layer 0: kv_head 1 is missing"},
      {"0:\n  0: {nbits_key: 4, nbits_value: 10}\n", "layer 0 kv_head 0: nbits_value = 10"},
      {"0: [\n", "not valid YAML"},
      {"# kvtuner: {\"a\": 1\n0:\n  nbits_key: 4\n  nbits_value: 4\n",
       "cfg.yaml:1: '# kvtuner:' metadata line: not valid JSON ("},
      {"# kvtuner: [1]\n0:\n  nbits_key: 4\n  nbits_value: 4\n", "must hold a JSON object"},
      {"# kvtuner: {\"a\": 1}\n# kvtuner: {\"a\": 2}\n0:\n  nbits_key: 4\n  nbits_value: 4\n",
       "cfg.yaml:2: metadata key 'a' is given twice"},
      // JSON form.
      {"{\"layers\": [{\"layer\": 0, \"nbits_key\": 4, \"nbits_value\": 4}, {\"layer\": 0, \"nbits_key\": 4, "
       "\"nbits_value\": 4}]}",
       "layer 0 appears more than once"},
      {"{\"layers\": [{\"layer\": 1, \"nbits_key\": 4, \"nbits_value\": 4}]}", "layer 0 is missing"},
      {"{\"layers\": [{\"layer\": 0, \"nbits_key\": 4.0, \"nbits_value\": 4}]}",
       "layer 0: nbits_key is 4.0, expected an integer"},
      {"{\"layers\": [{\"layer\": 0, \"nbits_key\": 4}]}", "layer 0: missing field nbits_value"},
      {"{\"layers\": [{\"layer\": 0, \"nbits_key\": 4, \"nbits_value\": 12}]}", "nbits_value = 12"},
      {"{\"layers\": [], \"heads\": []}", "exactly one of"},
      {"{\"layerz\": []}", "unknown top-level field 'layerz'"},
      {"{\"layers\": []}", "has no layers"},
      {"{\"layers\": [1]}", "every entry must be a JSON object"},
      {"{\"layers\": [{\"nbits_key\": 4, \"nbits_value\": 4}]}", "no integer 'layer' field"},
      {"{\"format\": \"other\", \"layers\": []}", "is not kvtuner-config-v1"},
      {"{\"heads\": [{\"layer\": 0, \"kv_heads\": [{\"kv_head\": 0, \"nbits_key\": 4, \"nbits_value\": 4}]},"
       " {\"layer\": 1, \"kv_heads\": []}]}",
       "layer 1 has 0 kv_heads but layer 0 has 1"},
      {"{\"heads\": [{\"layer\": 0}]}", "layer 0: missing field kv_heads"},
      {"{\"layers\": [}", "not valid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    REQUIRE_THROWS_AS(parse(c.text), kvt::InputError);
    REQUIRE_THROWS_WITH(parse(c.text), Catch::Contains(c.message) && Catch::Contains("cfg.yaml"));
  }
}

TEST_CASE("layer count must match the model when given", "[core][kv_config]") {
  CHECK(parse(kTwoLayers, 2).num_layers() == 2);
  REQUIRE_THROWS_WITH(parse(kTwoLayers, 32), Catch::Contains("cfg.yaml: the config has 2 layers but the model has 32"));
  REQUIRE_THROWS_WITH(parse(kvt::to_json(parse(kTwoLayers)).dump(), 3),
                      Catch::Contains("2 layers but the model has 3"));
}
