// bench_eval: end-to-end evaluation cost per config relative to one plain forward over the same tokens
// (target ≤ 1.3). Runs on the bundled demo model when data/models/<name> exists (first in name order), else on
// a generated random-weight model of the demo shape.
//
// Per config, the evaluator runs one forward with the config's attention hook and compares every sequence's
// logits with the full-precision references (evaluator.cpp); that is timed here against a plain forward.
// The two are timed in alternating pairs (ABBA) so that load from other processes hits both alike; the
// table gives the median of the per-pair ratios and the ratio of the fastest runs.
//   bench_eval [pairs (default 9)] [sequences (default 16)] [tokens per sequence (default 256)]
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "lib/eval/config_attention.h"
#include "lib/eval/evaluator.h"
#include "lib/eval/generation_check.h"
#include "lib/eval/incremental_decoder.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "tests/bench/bench_timing.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;
using namespace kvt;

namespace {

struct Ratio {
  double median_of_ratios = 0, ratio_of_fastest = 0, fastest_a = 0, fastest_b = 0;
};

// b's cost relative to a's, timed in ABBA pairs after one warm-up of each.
Ratio relative_cost(int pairs, const std::function<void()>& a, const std::function<void()>& b) {
  a(), b();
  std::vector<double> ratios, ta, tb;
  for (int i = 0; i < pairs; ++i) {
    double x, y;
    if (i % 2 == 0) {
      x = bench::wall_seconds(a), y = bench::wall_seconds(b);
    } else {
      y = bench::wall_seconds(b), x = bench::wall_seconds(a);
    }
    ta.push_back(x), tb.push_back(y), ratios.push_back(y / x);
  }
  std::sort(ratios.begin(), ratios.end());
  Ratio r;
  r.median_of_ratios = ratios[ratios.size() / 2];
  r.fastest_a = *std::min_element(ta.begin(), ta.end());
  r.fastest_b = *std::min_element(tb.begin(), tb.end());
  r.ratio_of_fastest = r.fastest_b / r.fastest_a;
  return r;
}

void print_row(const std::string& label, const Ratio& r, const std::string& note = "") {
  std::printf("%-44s %8.3f %8.3f   %6.2f %6.2f  %s\n", label.c_str(), r.fastest_a, r.fastest_b, r.median_of_ratios,
              r.ratio_of_fastest, note.c_str());
}

std::string demo_model_dir() {
  fs::path root = fs::path(KVT_SOURCE_DIR) / "data" / "models";
  std::vector<std::string> dirs;
  if (fs::exists(root))
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / "config.json")) dirs.push_back(e.path().string());
  std::sort(dirs.begin(), dirs.end());
  return dirs.empty() ? "" : dirs.front();
}

}  // namespace

int main(int argc, char** argv) {
  const int pairs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const int sequences = argc > 2 ? std::atoi(argv[2]) : 16;
  const int length = argc > 3 ? std::atoi(argv[3]) : 256;
  std::string dir = demo_model_dir();
  if (dir.empty()) {
    test::FixtureSpec spec;  // the demo model's shape (lib/train ModelShape defaults)
    spec.hidden = 256, spec.layers = 6, spec.heads = 8, spec.kv_heads = 2, spec.head_dim = 32;
    spec.intermediate = 688, spec.vocab = 4096, spec.max_positions = 256, spec.tied = true;
    dir = test::write_fixture_model((fs::temp_directory_path() / "kvtuner-bench-eval").string(), spec);
  }
  model::Model model = model::Model::open(dir);
  const auto& mc = model.config();
  auto prompts = test::random_prompts(std::vector<int>(size_t(sequences), std::min(length, mc.max_position_embeddings)),
                                      mc.vocab_size, 7);
  std::printf("model %s: %d layers, hidden %d, vocab %d; %d sequences x %d tokens; %d ABBA pairs\n", dir.c_str(),
              mc.num_layers, mc.hidden_size, mc.vocab_size, sequences, int(prompts[0].size()), pairs);
  std::printf("%-44s %8s %8s   %6s %6s\n", "cost relative to one plain forward", "plain s", "this s", "median",
              "fastest");

  eval::EvalOptions options;  // prompt: half of each sequence, prefill-fp
  std::vector<int64_t> prompt_len;
  for (const auto& p : prompts) prompt_len.push_back(options.prompt_length.for_sequence(int64_t(p.size())));
  // The full-precision references the evaluator keeps for a batch.
  std::vector<eval::ReferenceLogits> references(prompts.size());
  model::ForwardHooks reference_hooks;
  reference_hooks.on_logits = [&](int p, const at::Tensor& logits) {
    references[size_t(p)] = eval::make_reference(
        logits, prompts[size_t(p)], eval::scored_span(int64_t(prompts[size_t(p)].size()), prompt_len[size_t(p)]));
  };
  auto plain = [&] { model::forward(model, prompts, options.forward); };
  print_row("reference run (forward + references)",
            relative_cost(pairs, plain, [&] { model::forward(model, prompts, options.forward, reference_hooks); }));

  const KvConfig config = eval::uniform_config({4, 4}, mc.num_layers);
  for (const char* scheme_name : {"per-token-asym", "kivi"}) {
    options.scheme = quant::lookup_scheme(scheme_name);
    for (auto mode : {quant::PrefillMode::FullPrecision, quant::PrefillMode::Quantized}) {
      model::ForwardHooks hooks;
      double kl = 0;
      hooks.attention = [&](const model::AttentionInputs& in) {
        return eval::config_attention(in.q, in.k, in.v, config, in.layer, options.scheme,
                                      {prompt_len[size_t(in.prompt)], mode}, mc.sliding_window);
      };
      hooks.on_logits = [&](int p, const at::Tensor& logits) {
        kl += eval::compare_with_reference(logits, references[size_t(p)]).kl_sum;
      };
      print_row(std::string(scheme_name) + " " + quant::prefill_mode_name(mode) + ": per config",
                relative_cost(pairs, plain, [&] { model::forward(model, prompts, options.forward, hooks); }),
                "(target <= 1.3)");
    }
  }
  options.scheme = quant::lookup_scheme("kivi");
  eval::DecoderWeights weights = eval::load_decoder_weights(model, options.forward);
  auto gen_prompts = eval::generation_prompts(prompts, options.prompt_length, 8);
  print_row("generation check per config (8 x 32 tokens)", relative_cost(std::max(1, pairs / 3), plain, [&] {
              eval::greedy_generate(weights, config, options.scheme, options.prefill, gen_prompts, 32);
            }));
  return 0;
}
