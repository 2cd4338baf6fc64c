// kvt_interop_fixtures: writes the inputs of the interop (parity) tests, which compare kvtuner with
// clients from PyPI (tests/interop/*.py). Not a test itself; the Python scripts run it.
//   kvt_interop_fixtures models OUT_DIR
//       one random-weight Hugging Face model directory per supported architecture and config shape
//       (tests/support/fixture_model.h), token-id prompts for each (OUT_DIR/<name>.ids.jsonl) and
//       OUT_DIR/manifest.json: [{"name", "dir", "ids", "shape"}].
//   kvt_interop_fixtures corpus CALIBRATION_TEXT OUT.jsonl
//       the tokenizer conformance corpus (tests/lib/tokenizer/conformance_corpus.h, the same 150
//       calibration documents as test_conformance.cpp), one JSON string per line.
//   kvt_interop_fixtures run-inputs OUT_DIR
//       a 4-layer fixture model with calibration and held-out token ids for a small `kvtuner-search run`
//       (the workspace of tests/apps/test_cmd_run.cpp, with head_dim 32 so that KIVI's groups of 32 fit).
// Exits 2 with a one-line message on bad arguments.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/lib/tokenizer/conformance_corpus.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;
using kvt::test::FixtureSpec;
using nlohmann::json;

namespace {

struct Fixture {
  std::string name, shape;
  FixtureSpec spec;
};

// Every architecture and config shape the fixture writer can make, each at least once. Three layers,
// so that rounding differences pass through the residual stream more than once.
std::vector<Fixture> fixtures() {
  std::vector<Fixture> out;
  auto add = [&](std::string name, std::string shape, FixtureSpec s) {
    s.layers = 3;
    s.seed = 100 + out.size();
    out.push_back({std::move(name), std::move(shape), s});
  };
  FixtureSpec s;
  s = {};
  s.heads = 4, s.kv_heads = 4;
  add("llama-mha-f32", "Llama, MHA (4 heads, 4 KV heads), untied, single file, F32", s);
  s = {};
  s.llama3_rope = true, s.tied = true, s.dtype = "BF16";
  add("llama-llama3rope-gqa-tied-bf16", "Llama, llama3 RoPE scaling (factor 8, original 64), GQA 4/2, tied, BF16", s);
  s = {};
  s.head_dim = 24, s.sharded = true, s.attention_bias = true, s.mlp_bias = true, s.dtype = "F16";
  add("llama-headdim24-bias-sharded-f16",
      "Llama, head_dim 24 != hidden/heads 16, attention_bias and mlp_bias, GQA 4/2, 2 shards, F16", s);
  s = {};
  s.architecture = "MistralForCausalLM", s.sliding_window = 8, s.heads = 8, s.kv_heads = 2, s.head_dim = 8;
  add("mistral-window8-gqa-f32", "Mistral, sliding_window 8, GQA 8/2, head_dim 8, untied, F32", s);
  s = {};
  s.architecture = "MistralForCausalLM", s.tied = true, s.sharded = true, s.dtype = "BF16";
  add("mistral-nowindow-tied-sharded-bf16", "Mistral, sliding_window null, GQA 4/2, tied, 2 shards, BF16", s);
  s = {};
  s.architecture = "Qwen2ForCausalLM", s.tied = true, s.rope_theta = 1000000.0;
  add("qwen2-bias-tied-f32", "Qwen2, q/k/v biases, rope_theta 1e6, GQA 4/2, tied, F32", s);
  s = {};
  s.architecture = "Qwen2ForCausalLM", s.sliding_window = 12, s.head_dim = 32, s.sharded = true, s.dtype = "BF16";
  add("qwen2-window12-headdim32-sharded-bf16",
      "Qwen2, q/k/v biases, use_sliding_window with sliding_window 12, head_dim 32, untied, 2 shards, BF16", s);
  return out;
}

void write_ids(const fs::path& path, const std::vector<std::vector<int64_t>>& prompts) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& p : prompts) out << json(p).dump() << "\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

int write_models(const fs::path& root) {
  fs::create_directories(root);
  json manifest = json::array();
  for (const auto& f : fixtures()) {
    const fs::path dir = root / f.name;
    kvt::test::write_fixture_model(dir.string(), f.spec);
    // Short and long prompts; 200 tokens is past the window of the sliding-window fixtures and past
    // llama3's original_max_position_embeddings (64).
    const fs::path ids = root / (f.name + ".ids.jsonl");
    write_ids(ids, kvt::test::random_prompts({1, 2, 17, 64, 200}, f.spec.vocab, f.spec.seed + 7));
    manifest.push_back({{"name", f.name}, {"dir", dir.string()}, {"ids", ids.string()}, {"shape", f.shape}});
  }
  std::ofstream(root / "manifest.json") << manifest.dump(2) << "\n";
  return 0;
}

int write_corpus(const std::string& calibration_text, const fs::path& out_path) {
  if (!fs::exists(calibration_text)) {
    std::fprintf(stderr, "kvt_interop_fixtures: %s: no such file\n", calibration_text.c_str());
    return 2;
  }
  std::ofstream out(out_path, std::ios::binary);
  for (const auto& text : kvt::test::conformance_corpus(calibration_text, 150)) out << json(text).dump() << "\n";
  return out ? 0 : 1;
}

int write_run_inputs(const fs::path& root) {
  fs::create_directories(root);
  FixtureSpec spec;
  spec.layers = 4;
  spec.head_dim = 32;
  spec.attention_scale = 0.6;
  kvt::test::write_fixture_model((root / "model").string(), spec);
  write_ids(root / "calib.jsonl", kvt::test::random_prompts(std::vector<int>(6, 48), spec.vocab, 11));
  write_ids(root / "heldout.jsonl", kvt::test::random_prompts(std::vector<int>(8, 40), spec.vocab, 12));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "models") return write_models(args[1]);
    if (args.size() == 3 && args[0] == "corpus") return write_corpus(args[1], args[2]);
    if (args.size() == 2 && args[0] == "run-inputs") return write_run_inputs(args[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvt_interop_fixtures: %s\n", e.what());
    return 1;
  }
  std::fprintf(
      stderr, "kvt_interop_fixtures: usage: models OUT_DIR | corpus CALIBRATION_TEXT OUT.jsonl | run-inputs OUT_DIR\n");
  return 2;
}
