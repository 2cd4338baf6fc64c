// kvtuner-search perplexity --model DIR (--ids FILE | --text FILE) [--per-token]:
// each sequence's perplexity under the full-precision model, and optionally every token's log-probability.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/compute_options.h"
#include "calibration/input/calibration_set.h"
#include "lib/core/error.h"
#include "lib/model/model.h"
#include "lib/tokenizer/tokenizer.h"

namespace kvt::app {

namespace {

struct PerplexityOptions {
  std::string model_dir;
  std::string text_path;
  calib::CalibOptions input;
  bool per_token = false;
  ForwardSetting forward;
};

void run_perplexity(PerplexityOptions opt) {
  if (opt.text_path.empty() && opt.input.ids_path.empty())
    throw InputError("perplexity: give the sequences with --ids FILE (.jsonl of id arrays) or --text FILE", 360);
  const model::ForwardOptions forward_options = opt.forward.value;
  auto model = model::Model::open(opt.model_dir);
  const auto& c = model.config();
  calib::CalibrationSet sequences;
  if (!opt.input.ids_path.empty()) {
    sequences = calib::load_token_ids(opt.input.ids_path, opt.input, c.max_position_embeddings, c.vocab_size);
  } else {
    auto tokenizer = tok::Tokenizer::load(opt.model_dir);
    sequences = calib::load_calibration(opt.text_path, tokenizer, opt.input, c.max_position_embeddings);
  }
  auto logprobs = model::token_logprobs(model, sequences.prompts, forward_options);
  double total_nll = 0;
  size_t total_tokens = 0;
  for (size_t i = 0; i < logprobs.size(); ++i) {
    const auto& lp = logprobs[i];
    double nll = 0;
    for (double x : lp) nll -= x;
    total_nll += nll;
    total_tokens += lp.size();
    if (opt.per_token) {
      nlohmann::json line = {{"sequence", i}, {"tokens", sequences.prompts[i].size()}, {"logprobs", lp}};
      std::printf("%s\n", line.dump().c_str());
    } else if (lp.empty()) {
      std::printf("sequence %zu: %zu token, no next-token prediction\n", i, sequences.prompts[i].size());
    } else {
      std::printf("sequence %zu: %zu tokens, perplexity %.4f\n", i, sequences.prompts[i].size(),
                  std::exp(nll / lp.size()));
    }
  }
  if (!opt.per_token && total_tokens > 0)
    std::printf("all %zu sequences: %zu predicted tokens, perplexity %.4f\n", logprobs.size(), total_tokens,
                std::exp(total_nll / total_tokens));
}

}  // namespace

void register_perplexity(CLI::App& app) {
  auto opt = std::make_shared<PerplexityOptions>();
  auto* cmd = app.add_subcommand("perplexity", "Perplexity of token sequences under the full-precision model");
  cmd->add_option("--model", opt->model_dir, "Hugging Face model directory")->required();
  auto* ids = cmd->add_option("--ids", opt->input.ids_path, ".jsonl file: one JSON array of token ids per line");
  auto* text =
      cmd->add_option("--text", opt->text_path,
                      "Text file (documents separated by blank lines), tokenized with the model's tokenizer.json");
  ids->excludes(text);
  cmd->add_option("--max-tokens", opt->input.max_tokens, "Truncate each sequence to this many tokens (0 = no limit)");
  cmd->add_option("--num-sequences", opt->input.num_prompts, "Use at most this many sequences (0 = all)");
  cmd->add_flag("--per-token", opt->per_token, "Print one JSON line per sequence with each token's log-probability");
  add_forward_options(cmd, opt->forward);
  cmd->callback([opt] { run_perplexity(*opt); });
}

}  // namespace kvt::app
