// Search candidates by engine (search/interop/engine_candidates.h): the constraint shapes, the candidates'
// storage, bytes per token and context tokens at a memory size. Expected numbers are worked out in comments.
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "search/interop/engine_candidates.h"

using namespace kvt::interop;

namespace {

int error_id(const std::function<void()>& f) {
  try {
    f();
  } catch (const kvt::InputError& e) {
    return e.id();
  }
  return 0;
}

std::string names_of(const std::vector<KvCandidate>& cs) {
  std::string out;
  for (const auto& c : cs) out += (out.empty() ? "" : " ") + c.name();
  return out;
}

}  // namespace

TEST_CASE("engine names: hf then each export engine's shapes") {
  std::vector<std::string> expected = {"hf", "vllm", "sglang", "tensorrt-llm", "llama.cpp", "ik_llama.cpp", "lmdeploy"};
  CHECK(search_engine_names() == expected);
  CHECK(error_id([] { find_search_engine("vllm2"); }) == 435);
  try {
    find_search_engine("tgi", "--engine");
    FAIL("no error");
  } catch (const kvt::InputError& e) {
    CHECK(std::string(e.what()).find("--engine: unknown engine 'tgi'") != std::string::npos);
    CHECK(std::string(e.what()).find("ik_llama.cpp") != std::string::npos);
  }
}

TEST_CASE("llama.cpp is one global K and V pair of ggml types, K != V") {
  auto families = candidate_families(find_search_engine("llama.cpp"), 128);
  REQUIRE(families.size() == 1);
  CHECK_FALSE(families[0].per_layer);
  // 6 quantized types + f16, every (K, V): 7 · 7.
  REQUIRE(families[0].candidates.size() == 49);
  CHECK(families[0].candidates[0].name() == "KV=q8_0");
  CHECK(families[0].candidates[5].name() == "K=q8_0,V=iq4_nl");
  CHECK(families[0].candidates[6].name() == "K=q8_0,V=f16");
  // q8_0: 8 + 16/32 = 8.5 bits, q4_0: 4 + 16/32 = 4.5: mean 6.5.
  KvCandidate c = families[0].candidates[4];
  CHECK(c.name() == "K=q8_0,V=q4_0");
  CHECK(c.bits_per_element() == 6.5);
  CHECK(families[0].candidates.back().name() == "KV=f16");
  CHECK(families[0].candidates.back().bits_per_element() == 16);
  // ik_llama.cpp: the same pairs, per layer.
  auto ik = candidate_families(find_search_engine("ik_llama.cpp"), 128);
  REQUIRE(ik.size() == 1);
  CHECK(ik[0].per_layer);
  CHECK(ik[0].candidates.size() == 49);
  // head_dim 48 does not fit 32-element blocks.
  CHECK(error_id([] { candidate_families(find_search_engine("llama.cpp"), 48); }) == 431);
}

TEST_CASE("vllm is a per-layer map of one fp8 type or auto, one family per fp8 type") {
  auto families = candidate_families(find_search_engine("vllm"), 64);
  REQUIRE(families.size() == 2);
  CHECK(families[0].label == "vllm fp8_e4m3");
  CHECK(families[0].per_layer);
  CHECK(names_of(families[0].candidates) == "KV=fp8_e4m3 KV=auto");
  CHECK(names_of(families[1].candidates) == "KV=fp8_e5m2 KV=auto");
  CHECK(families[0].candidates[0].bits_per_element() == 8);
  CHECK(names_of(distinct_candidates(families)) == "KV=fp8_e4m3 KV=auto KV=fp8_e5m2");
}

TEST_CASE("global K = V engines: sglang, tensorrt-llm, lmdeploy") {
  auto sglang = candidate_families(find_search_engine("sglang"), 128);
  REQUIRE(sglang.size() == 1);
  CHECK_FALSE(sglang[0].per_layer);
  CHECK(names_of(sglang[0].candidates) == "KV=fp8_e4m3 KV=fp8_e5m2 KV=auto");
  auto trt = candidate_families(find_search_engine("tensorrt-llm"), 128);
  CHECK(names_of(trt[0].candidates) == "KV=fp8_e4m3 KV=nvfp4 KV=auto");
  CHECK(trt[0].candidates[1].bits_per_element() == 4.5);  // 4 + 8/16
  auto lmdeploy = candidate_families(find_search_engine("lmdeploy"), 64);
  CHECK(names_of(lmdeploy[0].candidates) == "KV=int8 KV=int4 KV=fp16");
  CHECK(lmdeploy[0].candidates[0].bits_per_element() == 8.5);  // 8 + 32/64
  CHECK(lmdeploy[0].candidates[1].bits_per_element() == 4.5);
}

TEST_CASE("hf keeps the integer pairs and kvtuner's storage") {
  auto families =
      candidate_families(find_search_engine("hf"), 128, {{8, 8}, {8, 4}, {16, 16}}, SchemeStorage::uniform(32));
  REQUIRE(families.size() == 1);
  CHECK(families[0].per_layer);
  CHECK(names_of(families[0].candidates) == "KV8 K8V4 KV16");
  // b + 32/32 per quantized tensor: (9 + 5) / 2; 16 is unquantized.
  CHECK(families[0].candidates[1].bits_per_element() == 7);
  CHECK(families[0].candidates[2].bits_per_element() == 16);
}

TEST_CASE("bytes per token and context tokens at a memory size") {
  // Llama-3-8B shape: 32 layers, 8 KV heads, head_dim 128. bf16: 32 · 8 · 128 · (16 + 16) / 8 = 131072 B.
  KvCandidateType bf16{"auto", 0, 16}, fp8{"fp8_e4m3", 0, 8};
  std::vector<KvCandidate> full(32, {bf16, bf16}), quant(32, {fp8, fp8});
  CHECK(kv_bytes_per_token(full, 8, 128) == 131072);
  CHECK(kv_bytes_per_token(quant, 8, 128) == 65536);
  // 16 GiB = 2^34 B: 2^34 / 2^17 = 131072 tokens; fp8 twice as many.
  const uint64_t gib16 = parse_memory_size("16GiB");
  CHECK(gib16 == (uint64_t(1) << 34));
  CHECK(max_context_tokens(131072, gib16) == 131072);
  CHECK(max_context_tokens(65536, gib16) == 262144);
  CHECK(max_context_tokens(3, 10) == 3);  // floor
  CHECK(error_id([] { max_context_tokens(0, 10); }) == 437);
}

TEST_CASE("memory sizes: decimal and binary units, errors name the option") {
  CHECK(parse_memory_size("80GB") == 80000000000ULL);
  CHECK(parse_memory_size("1.5GiB") == 1610612736ULL);
  CHECK(parse_memory_size("512MiB") == 536870912ULL);
  CHECK(parse_memory_size("4096") == 4096);
  CHECK(parse_memory_size("10B") == 10);
  for (const char* bad : {"", "GiB", "16 GiB", "16gib", "16GiBs", "0", "0.1", "1.2.3GB", ".5GB", "-1GB", "1e3", "9TiB9",
                          "99999999999TiB"})
    CHECK(error_id([bad] { parse_memory_size(bad); }) == 436);
  try {
    parse_memory_size("16gb", "--kv-memory");
    FAIL("no error");
  } catch (const kvt::InputError& e) {
    CHECK(std::string(e.what()).find("--kv-memory: '16gb' is not a memory size") != std::string::npos);
  }
}
