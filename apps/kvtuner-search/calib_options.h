// The calibration options of `profile`, `run` and `search --objective e2e-kl`, declared once (every option of
// kvtuner-search is registered in apps/kvtuner-search; kvt_calib_input does not depend on CLI11).
//   add_calib_options(sub, options);                     // in register_<name>()
//   auto set = calib::load_prompts(options, &tokenizer, config.max_position_embeddings, tokenizer.vocab_size());
#pragma once
#include <CLI/CLI.hpp>

#include "calibration/input/calibration_set.h"

namespace kvt::app {

inline void add_calib_options(CLI::App* cmd, calib::CalibOptions& options) {
  auto* calib = cmd->add_option("--calib", options.calib_path,
                                "Calibration text: .txt (documents separated by blank lines), .jsonl (one record per "
                                "line), or a directory of .txt files (default: data/calibration/default.txt)");
  auto* ids = cmd->add_option("--ids", options.ids_path,
                              "Calibration prompts as token ids instead of text: .jsonl, one JSON array per line");
  calib->excludes(ids);
  cmd->add_option("--calib-field", options.field,
                  "The .jsonl field holding the text ({question, answer} records also work)")
      ->capture_default_str();
  cmd->add_option("--calib-template", options.template_path,
                  "A text file (e.g. few-shot examples) in which {text} is replaced by each document");
  cmd->add_option("--num-prompts", options.num_prompts, "Use at most this many prompts, in file order (0 = all)")
      ->capture_default_str();
  cmd->add_option("--max-tokens", options.max_tokens, "Truncate each prompt to this many tokens (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--min-tokens", options.min_tokens, "Drop prompts shorter than this many tokens")
      ->capture_default_str();
  cmd->add_option("--long-prompts", options.long_prompts,
                  "Prompts longer than the model's context: split (into the fewest equal pieces that fit) or "
                  "truncate (with a warning) (default: split for the bundled set, truncate for your data)");
}

}  // namespace kvt::app
