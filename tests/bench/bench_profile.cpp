// Profiling cost (a program, not a test). On a TinyLlama-wide 8-layer model (hidden 2048, 32 heads of 64,
// 4 KV heads, intermediate 5632; random weights) and T-token prompts, prints in one run:
//   profile time ÷ one plain forward over the same prompts (9 pairs; target ≤ 1.5), for kivi and per-token-asym;
//   what a naive profiler (one full forward per layer × pair, quantizing that layer) would cost ÷ the profile.
//   bench_profile [repeats=3] [tokens=512] [prompts=1] [layers=8]
// The model (≈ 0.7 GB, BF16) is written once under the system temp dir and reused.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "calibration/profiler/profiler.h"
#include "lib/core/log.h"
#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/scheme_registry.h"
#include "tests/bench/bench_timing.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;
using namespace kvt;

namespace {

std::string model_dir(const test::FixtureSpec& spec) {
  fs::path dir = fs::temp_directory_path() / ("kvtuner-bench-profile-" + std::to_string(spec.layers));
  std::string config = model::to_hf_config_json(test::fixture_config(spec)).dump(2);
  std::ifstream existing(dir / "config.json");
  std::stringstream ss;
  ss << existing.rdbuf();
  if (ss.str() != config || !fs::exists(dir / "model.safetensors")) {
    std::fprintf(stderr, "writing the benchmark model to %s ...\n", dir.c_str());
    test::write_fixture_model(dir.string(), spec);
  }
  return dir.string();
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const int tokens = argc > 2 ? std::max(64, std::atoi(argv[2])) : 512;
  const int num_prompts = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  test::FixtureSpec spec;
  spec.hidden = 2048;
  spec.heads = 32;
  spec.kv_heads = 4;
  spec.head_dim = 64;
  spec.intermediate = 5632;
  spec.layers = argc > 4 ? std::max(1, std::atoi(argv[4])) : 8;
  spec.vocab = 1000;
  spec.max_positions = std::max(1024, tokens);
  spec.dtype = "BF16";
  spec.attention_scale = 0.05;
  set_quiet(true);

  model::Model m = model::Model::open(model_dir(spec));
  std::vector<int> lengths(size_t(num_prompts), tokens);
  auto prompts = test::random_prompts(lengths, spec.vocab, 1);
  model::ForwardOptions fwd;  // fp32 on CPU
  profile::ProfileOptions kivi, per_token;
  kivi.scheme = quant::lookup_scheme("kivi");
  per_token.scheme = quant::lookup_scheme("per-token-asym");
  const int layers = spec.layers, pairs = int(kivi.pairs.size());

  // One naive run: a full forward in which one layer attends over its quantized cache (the rest full precision).
  auto naive_forward = [&](int layer) {
    model::ForwardHooks hooks;
    hooks.attention = [&](const model::AttentionInputs& in) {
      if (in.layer != layer) return model::causal_attention(in.q, in.k, in.v, m.config().sliding_window);
      return quant::quantized_attention(in.q, in.k, in.v, kivi.scheme, {2, 2}, {});
    };
    model::forward(m, prompts, fwd, hooks);
  };

  std::vector<double> plain, capture, prof_kivi, prof_pt, naive;
  model::forward(m, prompts, fwd);  // warm-up: page in the weights
  for (int r = 0; r < repeats; ++r) {
    plain.push_back(bench::wall_seconds([&] { model::forward(m, prompts, fwd); }));
    capture.push_back(bench::wall_seconds([&] {
      model::ForwardHooks hooks;
      hooks.skip_lm_head = true;
      hooks.on_capture = [](const model::AttentionInputs&, const at::Tensor&) {};
      model::forward(m, prompts, fwd, hooks);
    }));
    prof_kivi.push_back(bench::wall_seconds([&] { profile::profile_model(m, prompts, "", kivi); }));
    prof_pt.push_back(bench::wall_seconds([&] { profile::profile_model(m, prompts, "", per_token); }));
    naive.push_back(bench::wall_seconds([&] { naive_forward(r % layers); }));
  }
  const double t_plain = bench::median(plain), t_kivi = bench::median(prof_kivi), t_pt = bench::median(prof_pt);
  const double t_naive = bench::median(naive) * layers * pairs + t_plain;  // + the full-precision reference
  std::printf(
      "bench_profile: %d layers, hidden %d, %d heads x %d (KV heads %d), intermediate %d; %d prompt(s) x %d tokens;"
      " %d pairs; median of %d runs\n",
      layers, spec.hidden, spec.heads, spec.head_dim, spec.kv_heads, spec.intermediate, num_prompts, tokens, pairs,
      repeats);
  std::printf("%-52s %10s %10s\n", "run", "seconds", "÷ plain");
  std::printf("%-52s %10.3f %10.3f\n", "plain forward (logits)", t_plain, 1.0);
  std::printf("%-52s %10.3f %10.3f\n", "capture-only forward (hook, no LM head)", bench::median(capture),
              bench::median(capture) / t_plain);
  std::printf("%-52s %10.3f %10.3f\n", "profile, kivi (target <= 1.5)", t_kivi, t_kivi / t_plain);
  std::printf("%-52s %10.3f %10.3f\n", "profile, per-token-asym (target <= 1.5)", t_pt, t_pt / t_plain);
  std::printf("%-52s %10.3f %10.3f\n", "naive: layers x pairs forwards + reference (est.)", t_naive, t_naive / t_plain);
  std::printf("naive ÷ kivi profile: %.1fx\n", t_naive / t_kivi);
  return 0;
}
