// Every safetensors / model-directory validation rule, each on a corrupted or incomplete file.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <tuple>

#include "lib/core/error.h"
#include "lib/model/model.h"
#include "lib/model/safetensors.h"
#include "tests/support/error_text.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

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
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path),
                        Contains("tensor 'w'") && Contains("24 bytes but data_offsets span 20"));
  }
  SECTION("range past the data section") {
    auto path = write_raw("range", R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8);
    REQUIRE_THROWS_WITH(model::SafetensorsFile(path), Contains("tensor 'w'") && Contains("past the data section"));
  }
  SECTION("overlapping ranges") {
    auto path = write_raw("overlap",
                          R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                          16);
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
    REQUIRE_THROWS_WITH(model::Model::open(dir),
                        Contains("model.norm.weight") && Contains("has shape [65], expected [64]"));
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
    REQUIRE_THROWS_WITH(
        model::Model::open(dir),
        Contains("GPT2LMHeadModel") && Contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM"));
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
    REQUIRE_THROWS_WITH(model::Model::open(dir),
                        Contains("num_key_value_heads (3) does not divide num_attention_heads (4)"));
  }
}

// ---- the reference reader's rules (huggingface/safetensors safetensors/src/tensor.rs) ----

namespace {

using kvt::test::error_of;

std::string open_error(const std::string& path) {
  return error_of([&] { model::SafetensorsFile f(path); });
}

// Rewrites a fixture's model.safetensors with every tensor's bytes as they are, plus `extra` tensors
// {name, dtype, shape, bytes} appended; `retype` gives one existing tensor another dtype over the same bytes.
void rewrite_raw(const std::string& dir,
                 const std::vector<std::tuple<std::string, std::string, std::vector<int64_t>, std::string>>& extra,
                 const std::string& retype_name = "", const std::string& retype_dtype = "",
                 const std::vector<int64_t>& retype_shape = {}) {
  model::SafetensorsFile src(dir + "/model.safetensors");
  nlohmann::ordered_json header;
  std::string data;
  for (const auto& t : src.tensors()) {
    at::Tensor v = src.view(t).contiguous();
    std::string bytes(static_cast<const char*>(v.data_ptr()), v.numel() * v.element_size());
    std::string dtype = t.dtype;
    std::vector<int64_t> shape = t.shape;
    if (t.name == retype_name) {
      dtype = retype_dtype;
      shape = retype_shape;
      int64_t elements = 1;
      for (int64_t d : shape) elements *= d;
      bytes.resize(size_t(elements));  // the retyped dtypes used here take 1 byte per element
    }
    header[t.name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data += bytes;
  }
  for (const auto& [name, dtype, shape, bytes] : extra) {
    header[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data += bytes;
  }
  std::string text = header.dump();
  std::ofstream out(dir + "/model.safetensors", std::ios::binary | std::ios::trunc);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << text << data;
}

}  // namespace

TEST_CASE("safetensors fault: sizes are overflow-checked, naming the tensor", "[lib][model]") {
  SECTION("a shape whose element count wraps to 0 bytes") {
    // 2^32 · 2^32 = 2^64 ≡ 0 (mod 2^64): accepted as a 0-byte tensor before the check.
    auto path = write_raw("wrap", R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0);
    CHECK(open_error(path) == "[kvt.input.311] " + path +
                                  ": tensor 'w': shape [4294967296, 4294967296] of F32 overflows a 64-bit byte count");
  }
  SECTION("elements fit, bits do not") {
    // 2^62 elements × 32 bits = 2^67 bits.
    auto path = write_raw("bits", R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", 0);
    CHECK_THAT(open_error(path), StartsWith("[kvt.input.311]") && Contains("tensor 'w'") && Contains("overflows"));
  }
  SECTION("a dimension beyond int64") {
    auto path = write_raw("dim", R"({"w":{"dtype":"U8","shape":[0,18446744073709551615],"data_offsets":[0,0]}})", 0);
    CHECK_THAT(open_error(path),
               StartsWith("[kvt.input.311]") && Contains("tensor 'w'") && Contains("18446744073709551615"));
  }
  SECTION("a header length above the reference limit of 100,000,000 bytes") {
    auto path = write_raw("hmax", "{}", 0, 100000001);
    CHECK(open_error(path) ==
          "[kvt.input.314] " + path + ": header length 100000001 exceeds the safetensors limit of 100000000 bytes");
  }
  SECTION("a header length of 2^64 - 1 does not wrap the size arithmetic") {
    auto path = test::fresh_test_dir("st_hwrap") + "/model.safetensors";
    std::ofstream(path, std::ios::binary) << std::string(8, '\xff') << "{}";
    CHECK_THAT(open_error(path), StartsWith("[kvt.input.314]"));
  }
}

TEST_CASE("safetensors fault: the byte ranges must tile the data section", "[lib][model]") {
  SECTION("a hole between tensors") {
    auto path = write_raw("hole",
                          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                          20);
    CHECK_THAT(open_error(path), StartsWith("[kvt.input.312] " + path + ": tensor 'b' starts at byte 12") &&
                                     Contains("bytes 8..12 unused"));
  }
  SECTION("a hole before the first tensor") {
    auto path = write_raw("lead", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12);
    CHECK_THAT(open_error(path), StartsWith("[kvt.input.312]") && Contains("tensor 'a'"));
  }
  SECTION("trailing bytes after the last tensor") {
    auto path = write_raw("trail", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 12);
    CHECK(open_error(path) ==
          "[kvt.input.313] " + path +
              ": 4 trailing bytes after the last tensor 'a' (the data section must end where the last tensor ends)");
  }
  SECTION("overlap names both tensors") {
    auto path = write_raw("overlap2",
                          R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                          16);
    CHECK_THAT(open_error(path), StartsWith("[kvt.input.310] " + path + ": tensor 'b' overlaps tensor 'a'"));
  }
  SECTION("zero-sized tensors may share an offset; out of order in the header is fine") {
    auto path = write_raw("empty",
                          R"({"z":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                          R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                          16);
    CHECK(open_error(path) == "no error");
  }
}

TEST_CASE("every safetensors dtype has a name, sub-byte dtypes are counted in bits", "[lib][model]") {
  // safetensors/src/tensor.rs Dtype::bitsize.
  const std::vector<std::pair<std::string, int>> spec = {
      {"BOOL", 8},    {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},     {"U8", 8},          {"I8", 8},
      {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8}, {"I16", 16},
      {"U16", 16},    {"F16", 16},    {"BF16", 16},   {"I32", 32},        {"U32", 32},        {"F32", 32},
      {"C64", 64},    {"F64", 64},    {"I64", 64},    {"U64", 64}};
  std::string header = "{", sep;
  uint64_t offset = 0;
  for (const auto& [name, bits] : spec) {
    CHECK(model::safetensors_dtype_bits(name) == bits);
    uint64_t bytes = 4 * uint64_t(bits) / 8;  // shape [4]: F4 2 bytes, F6 3 bytes
    header += sep + "\"t_" + name + "\":{\"dtype\":\"" + name + "\",\"shape\":[4],\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
    sep = ",";
  }
  auto path = write_raw("all_dtypes", header + "}", offset);
  model::SafetensorsFile f(path);
  CHECK(f.tensors().size() == spec.size());
  CHECK(model::safetensors_dtype_bits("F12") == 0);
  SECTION("a sub-byte tensor that is not a whole number of bytes") {
    auto odd = write_raw("f4_odd", R"({"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", 2);
    CHECK(open_error(odd) ==
          "[kvt.input.315] " + odd + ": tensor 'w': shape [3] of F4 is 12 bits, not a whole number of bytes");
  }
  SECTION("a dtype outside the format is unknown and the message lists the format's dtypes") {
    auto bad = write_raw("f12", R"({"w":{"dtype":"F12","shape":[2],"data_offsets":[0,4]}})", 4);
    CHECK_THAT(open_error(bad), StartsWith("[kvt.input.306]") && Contains("unknown dtype 'F12'") &&
                                    Contains("F8_E8M0") && Contains("C64"));
  }
}

TEST_CASE("checkpoint fault: a used tensor of another dtype is 'not supported', an unused one is fine",
          "[lib][model]") {
  test::FixtureSpec spec;
  SECTION("a used weight stored as F8_E4M3") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("ck_f8_used"), spec);
    rewrite_raw(dir, {}, "model.layers.1.mlp.up_proj.weight", "F8_E4M3", {spec.intermediate, spec.hidden});
    CHECK(error_of([&] { model::Model::open(dir); }) ==
          "[kvt.unsupported.201] " + dir +
              "/model.safetensors: tensor 'model.layers.1.mlp.up_proj.weight': dtype F8_E4M3 "
              "is not supported (supported: F32, F16, BF16)");
  }
  SECTION("unused tensors of any dtype (scales, flags)") {
    auto dir = test::write_fixture_model(test::fresh_test_dir("ck_unused"), spec);
    rewrite_raw(dir, {{"model.extra.scale", "F8_E8M0", {4}, std::string(4, '\x7f')},
                      {"model.extra.packed", "F4", {6}, std::string(3, '\0')},
                      {"model.extra.mask", "BOOL", {2}, std::string(2, '\1')}});
    auto m = model::Model::open(dir);
    CHECK(m.weight_dtypes().at("F8_E8M0") == 1);
    CHECK(m.weight_dtypes().at("F4") == 1);
  }
}

TEST_CASE("checkpoint fault: pre-quantized checkpoints are refused before the weights are read", "[lib][model]") {
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("ck_awq"), spec);
  auto j = model::to_hf_config_json(test::fixture_config(spec));
  j["quantization_config"] = {{"quant_method", "awq"}, {"bits", 4}, {"group_size", 128}, {"version", "gemm"}};
  std::ofstream(dir + "/config.json") << j.dump();
  std::filesystem::remove(dir + "/model.safetensors");  // an AWQ checkpoint's weights would not load anyway
  CHECK(error_of([&] { model::Model::open(dir); }) ==
        "[kvt.unsupported.215] " + dir +
            "/config.json: quantization_config says the weights are pre-quantized "
            "(quant_method awq); kvtuner needs the unquantized model (the original bf16/fp16 checkpoint)");
}

TEST_CASE("checkpoint fault: weights with more layers than config.json are refused", "[lib][model]") {
  test::FixtureSpec spec;
  spec.layers = 11;  // layers 2..10 are extra; "model.layers.10." sorts before "model.layers.2." by name
  auto dir = test::write_fixture_model(test::fresh_test_dir("ck_layers"), spec);
  auto j = model::to_hf_config_json(test::fixture_config(spec));
  j["num_hidden_layers"] = 2;
  std::ofstream(dir + "/config.json") << j.dump();
  CHECK(error_of([&] { model::Model::open(dir); }) ==
        "[kvt.input.336] " + dir +
            "/model.safetensors: tensor 'model.layers.2.input_layernorm.weight' belongs to layer 2, "
            "but config.json has num_hidden_layers 2 (the weights hold more layers than the config)");
  j["num_hidden_layers"] = 11;
  std::ofstream(dir + "/config.json") << j.dump();
  CHECK_NOTHROW(model::Model::open(dir));
}
