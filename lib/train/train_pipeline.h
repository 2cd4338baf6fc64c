// kvtuner-train end to end: corpus → split → BPE tokenizer → Llama training → Hugging Face model
// directory, training log, loss curve, held-out text, and a summary measured on the saved model.
#pragma once
#include <c10/core/ScalarType.h>

#include <string>
#include <vector>

#include "lib/train/llama_parameters.h"
#include "lib/train/training_loop.h"

namespace kvt::train {

struct PipelineOptions {
  std::string out_dir;
  std::vector<std::string> corpus_paths;       // plain-text files (see corpus.h for the formats)
  std::vector<std::string> calibration_paths;  // text held-out must not overlap (data/calibration)
  int heldout_permille = 40;                   // share of documents held out, per mille
  int vocab_size = 4096;
  ModelShape shape;
  TrainOptions train;
  int threads = 1;  // intra-op threads; results are reproducible for a fixed thread count
  c10::ScalarType save_dtype = c10::ScalarType::BFloat16;
  std::vector<std::string> sample_prompts = {":hacker: n.\n\n", ":kludge:", "Unix is", "A program that",
                                             "The best way to"};
  int sample_tokens = 40;
  bool force = false;
};

struct PipelineResult {
  std::vector<TrainLogRow> log;
  double train_seconds = 0.0;  // wall time of the optimisation loop (not written to files)
  double tokens_per_second = 0.0;
  double heldout_perplexity = 0.0;
  double unigram_perplexity = 0.0;
};

// Validates everything before training (output files, corpus, shape). @throws InputError.
PipelineResult run_training_pipeline(const PipelineOptions& options);

// Files the pipeline writes besides the model directory files.
const std::vector<std::string>& training_record_files();

}  // namespace kvt::train
