// Cost of each sensitivity proxy (a program, not a test), measured in one run on the bundled demo model
// (data/models/kvt-demo-6l) and the leading prompts of the bundled calibration set, KIVI, the nine default pairs:
//   e_o profile, Fisher estimate and layer KL, each ÷ one plain forward over the same prompts (median of repeats),
//   next to the layer KL's predicted forward passes (1 + C·(L+1)/2).
//   bench_proxy [repeats=3] [tokens=4096]
#include <c10/core/InferenceMode.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "calibration/input/calibration_set.h"
#include "calibration/profiler/layer_kl.h"
#include "calibration/profiler/profiler.h"
#include "lib/core/log.h"
#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "lib/tokenizer/tokenizer.h"
#include "tests/bench/bench_timing.h"

using namespace kvt;

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const int64_t tokens = argc > 2 ? std::max(256, std::atoi(argv[2])) : 4096;
  set_quiet(true);
  const std::string dir = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";
  model::Model model = model::Model::open(dir);
  tok::Tokenizer tokenizer = tok::Tokenizer::load(dir);
  calib::CalibOptions calib_options;
  calib_options.calib_path = std::string(KVT_SOURCE_DIR) + "/data/calibration/default.txt";
  calib::CalibrationSet set =
      calib::load_prompts(calib_options, &tokenizer, model.config().max_position_embeddings, model.config().vocab_size);
  const auto prompts = profile::leading_prompts(set.prompts, tokens);
  int64_t used = 0;
  for (const auto& p : prompts) used += int64_t(p.size());

  profile::ProfileOptions o;
  o.scheme = quant::lookup_scheme("kivi");
  o.kl_tokens = tokens;
  auto timed = [&](const std::function<void()>& f) {
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) t.push_back(bench::wall_seconds(f));
    return bench::median(t);
  };
  const double forward = timed([&] { model::forward(model, prompts, o.forward); });
  o.proxy = "eo";
  const double eo = timed([&] { profile::profile_model(model, prompts, "", o); });
  const double fisher = timed([&] { profile::fisher_sensitivity(model, prompts, o); });
  const double kl = timed([&] { profile::layer_kl(model, prompts, o); });
  const double passes = profile::layer_kl_forward_passes(model.config().num_layers, o.pairs);
  std::printf("bench_proxy: %s, %zu prompts, %lld tokens, %zu pairs, %d layers, median of %d\n", dir.c_str(),
              prompts.size(), (long long)used, o.pairs.size(), model.config().num_layers, repeats);
  std::printf("plain forward          %8.3f s   1.00x\n", forward);
  std::printf("e_o profile            %8.3f s   %.2fx\n", eo, eo / forward);
  std::printf("Fisher estimate        %8.3f s   %.2fx\n", fisher, fisher / forward);
  std::printf("layer KL               %8.3f s   %.2fx  (predicted %.1f forward passes)\n", kl, kl / forward, passes);
  return 0;
}
