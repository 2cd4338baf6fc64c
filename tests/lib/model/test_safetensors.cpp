// Every safetensors / model-directory validation rule, each on a corrupted or incomplete file.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "lib/core/error.h"
#include "lib/model/model.h"
#include "lib/model/safetensors.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using Catch::Matchers::Contains;

namespace {

// Writes u64 header length + header + `data_bytes` zero bytes.
std::string write_raw(const std::string& name, const std::string& header, size_t data_bytes, int64_t claimed_len = -1) {
  auto path = test::fresh_test_dir("st_" + name) + "/model.safetensors";
  std::ofstream out(path, std::ios::binary);
  uint64_t n = claimed_len >= 0 ? uint64_t(claimed_len) : header.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << header << std::string(data_bytes, '\0');
  return path;
}

}  // namespace

TEST_CASE("a valid file round-trips through the writer and the mapped reader", "[lib][model]") {
  auto path = test::fresh_test_dir("st_valid") + "/model.safetensors";
  at::Tensor a = at::arange(12, at::kFloat).view({3, 4}), b = at::ones({5}, at::kBFloat16);
  model::write_safetensors(path, {{"a", a}, {"b", b}}, {{"format", "pt"}});
  model::SafetensorsFile f(path);
  REQUIRE(f.tensors().size() == 2);
  CHECK(at::equal(f.view(*f.find("a")), a));
  CHECK(at::equal(f.view(*f.find("b")), b));
  CHECK(f.find("c") == nullptr);
}

TEST_CASE("safetensors validation names the file and the tensor", "[lib][model]") {
  SECTION("file shorter than the length prefix") {
    auto path = test::fresh_test_dir("st_short") + "/model.safetensors";
    std::ofstream(path) << "abc";
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains(path) && Contains("too short"));
  }
  SECTION("header length outside the file") {
    auto path = write_raw("hlen", "{}", 0, 1000);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("header length 1000 exceeds the file size"));
  }
  SECTION("header is not JSON") {
    auto path = write_raw("json", "{not json", 0);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("not valid JSON"));
  }
  SECTION("unknown dtype") {
    auto path = write_raw("dtype", R"({"w":{"dtype":"F12","shape":[2],"data_offsets":[0,4]}})", 4);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("unknown dtype 'F12'"));
  }
  SECTION("shape × dtype size differs from the byte range") {
    auto path = write_raw("size", R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 24);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("24 bytes but data_offsets span 20"));
  }
  SECTION("range past the data section") {
    auto path = write_raw("range", R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("past the data section"));
  }
  SECTION("overlapping ranges") {
    auto path = write_raw("overlap",
                          R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("overlaps"));
  }
  SECTION("offsets that end before they begin") {
    auto path = write_raw("order", R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 8);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("end before they begin"));
  }
  SECTION("entry without data_offsets") {
    auto path = write_raw("fields", R"({"w":{"dtype":"F32","shape":[4]}})", 16);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("data_offsets"));
  }
}

TEST_CASE("model directories: missing and misshapen tensors, missing shards, bad config", "[lib][model]") {
  test::FixtureSpec spec;
  SECTION("a required tensor is missing") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_missing"), spec);
    model::SafetensorsFile src(dir + "/model.safetensors");
    std::vector<std::pair<std::string, at::Tensor>> kept;
    for (const auto& t : src.tensors())
      if (t.name != "model.layers.1.mlp.up_proj.weight") kept.push_back({t.name, src.view(t).clone()});
    model::write_safetensors(dir + "/model.safetensors", kept);
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("model.layers.1.mlp.up_proj.weight") && Contains("missing"));
  }
  SECTION("a tensor has the wrong shape") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_shape"), spec);
    model::SafetensorsFile src(dir + "/model.safetensors");
    std::vector<std::pair<std::string, at::Tensor>> changed;
    for (const auto& t : src.tensors()) {
      at::Tensor x = src.view(t).clone();
      if (t.name == "model.norm.weight") x = at::ones({spec.hidden + 1});
      changed.push_back({t.name, x});
    }
    model::write_safetensors(dir + "/model.safetensors", changed);
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("model.norm.weight") && Contains("has shape [65], expected [64]"));
  }
  SECTION("a shard listed in the index is missing") {
    spec.sharded = true;
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_shard"), spec);
    std::filesystem::remove(dir + "/model-00002-of-00002.safetensors");
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("model-00002-of-00002.safetensors") && Contains("missing"));
  }
  SECTION("no weights at all") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_none"), spec);
    std::filesystem::remove(dir + "/model.safetensors");
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("no model.safetensors"));
  }
  SECTION("unsupported architecture lists the supported ones") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_arch"), spec);
    std::ofstream(dir + "/config.json") << R"({"architectures":["GPT2LMHeadModel"],"hidden_size":64})";
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("GPT2LMHeadModel") && Contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM"));
  }
  SECTION("a missing config field is named") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_field"), spec);
    auto j = model::to_hf_config_json(test::fixture_config(spec));
    j.erase("intermediate_size");
    std::ofstream(dir + "/config.json") << j.dump();
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("config.json") && Contains("'intermediate_size'"));
  }
  SECTION("KV heads that do not divide the heads") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("md_heads"), spec);
    auto j = model::to_hf_config_json(test::fixture_config(spec));
    j["num_key_value_heads"] = 3;
    std::ofstream(dir + "/config.json") << j.dump();
    REQUIRE_THROWS_WITH(model::Model::open(dir), Contains("num_key_value_heads (3) does not divide num_attention_heads (4)"));
  }
}
