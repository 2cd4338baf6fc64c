#include "lib/train/train_pipeline.h"

#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/model/model.h"
#include "lib/report/format.h"
#include "lib/train/bpe_trainer.h"
#include "lib/train/corpus.h"
#include "lib/train/evaluation.h"
#include "lib/train/model_directory.h"
#include "lib/train/training_report.h"

namespace kvt::train {

namespace {

namespace fs = std::filesystem;

// <|endoftext|> doc <|endoftext|> doc ... <|endoftext|>: every document starts after a BOS.
std::vector<int64_t> token_stream(const std::vector<Document>& docs, const BpeEncoder& encoder, int64_t eot) {
  std::vector<int64_t> stream{eot};
  for (const auto& doc : docs) {
    std::vector<int64_t> ids = encoder.encode(doc.text);
    stream.insert(stream.end(), ids.begin(), ids.end());
    stream.push_back(eot);
  }
  return stream;
}

std::string path_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

}  // namespace

const std::vector<std::string>& training_record_files() {
  static const std::vector<std::string> files = {"heldout.txt", "training_log.csv", "loss_curve.svg",
                                                 "training_summary.json"};
  return files;
}

PipelineResult run_training_pipeline(const PipelineOptions& o) {
  if (o.out_dir.empty()) throw InputError("--out: an output directory is required", 570);
  if (o.corpus_paths.empty()) throw InputError("--corpus: at least one corpus file is required", 571);
  if (o.threads <= 0) throw InputError("--threads: must be positive, got " + std::to_string(o.threads), 572);
  if (o.save_dtype != c10::ScalarType::BFloat16 && o.save_dtype != c10::ScalarType::Float &&
      o.save_dtype != c10::ScalarType::Half)
    throw InputError("--save-dtype: must be bfloat16, float16 or float32", 573);
  for (const auto& name : model_directory_files()) check_overwrite(path_in(o.out_dir, name), o.force);
  for (const auto& name : training_record_files()) check_overwrite(path_in(o.out_dir, name), o.force);
  // Shape errors surface before the corpus work; the vocabulary size is final only after BPE.
  make_model_config(o.shape, o.vocab_size, o.vocab_size - 1);
  at::set_num_threads(o.threads);

  std::vector<Document> documents = load_corpus(o.corpus_paths);
  std::string calibration_text;
  for (const auto& path : o.calibration_paths) calibration_text += read_file(path) + "\n";
  CorpusSplit split = split_corpus(documents, o.heldout_permille, calibration_text);
  if (split.heldout.empty()) throw InputError("--heldout-permille: the held-out split is empty", 574);
  log_info("corpus: " + std::to_string(documents.size()) + " documents, " + std::to_string(split.train.size()) +
           " train, " + std::to_string(split.heldout.size()) + " held out, " + std::to_string(split.dropped.size()) +
           " dropped from held-out because they overlap the calibration text");

  std::vector<std::string> train_texts;
  for (const auto& doc : split.train) train_texts.push_back(doc.text);
  BpeTrainOptions bpe_options;
  bpe_options.vocab_size = o.vocab_size;
  BpeVocabulary vocabulary = train_bpe(train_texts, bpe_options);
  BpeEncoder encoder(vocabulary);
  const int64_t eot = vocabulary.end_of_text_id;
  std::vector<int64_t> train_tokens = token_stream(split.train, encoder, eot);
  std::vector<int64_t> heldout_tokens = token_stream(split.heldout, encoder, eot);
  log_info("tokenizer: " + std::to_string(vocabulary.size()) + " tokens; train stream " +
           std::to_string(train_tokens.size()) + " tokens, held-out stream " + std::to_string(heldout_tokens.size()));

  kvt::model::ModelConfig config = make_model_config(o.shape, vocabulary.size(), static_cast<int>(eot));
  LlamaParameters model(config, o.train.seed);
  log_info("model: " + std::to_string(config.parameter_count()) + " parameters; training " +
           std::to_string(o.train.steps) + " steps of " + std::to_string(o.train.batch_size) + " x " +
           std::to_string(config.max_position_embeddings) + " tokens on " + std::to_string(o.threads) + " thread(s)");

  PipelineResult result;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  result.log = train_model(model, train_tokens, heldout_tokens, o.train, [&](const TrainLogRow& row) {
    double seconds = elapsed();
    log_info("step " + std::to_string(row.step) + "/" + std::to_string(o.train.steps) + "  train " +
             report::format_fixed(row.train_loss, 4) + "  held-out " + report::format_fixed(row.heldout_loss, 4) +
             "  lr " + report::format_fixed(row.learning_rate, 6) + "  " +
             report::format_fixed(row.tokens_seen / seconds, 0) + " tok/s  " + report::format_fixed(seconds, 0) + " s");
  });
  result.train_seconds = elapsed();
  result.tokens_per_second = result.log.back().tokens_seen / result.train_seconds;

  write_model_directory(o.out_dir, model, vocabulary, o.save_dtype, o.force);
  write_file_atomic(path_in(o.out_dir, "heldout.txt"), join_documents(split.heldout), o.force);
  write_file_atomic(path_in(o.out_dir, "training_log.csv"), training_log_csv(result.log), o.force);

  // Measured on the saved artifact through the runtime, not on the in-memory fp32 weights.
  kvt::model::Model saved = kvt::model::Model::open(o.out_dir);
  PerplexityReport ppl = heldout_perplexity(saved, heldout_tokens, train_tokens);
  result.heldout_perplexity = ppl.model_perplexity();
  result.unigram_perplexity = ppl.unigram_perplexity();
  write_file_atomic(path_in(o.out_dir, "loss_curve.svg"), loss_curve_svg(result.log, ppl.unigram_nll), o.force);

  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const auto& prompt : o.sample_prompts) {
    std::vector<int64_t> ids{eot};
    std::vector<int64_t> encoded = encoder.encode(prompt);
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    std::vector<int64_t> completion = greedy_generate(saved, ids, o.sample_tokens, eot);
    samples.push_back({{"prompt", prompt}, {"completion", encoder.decode(completion)}});
  }

  nlohmann::ordered_json summary;
  summary["seed"] = o.train.seed;
  summary["threads"] = o.threads;
  nlohmann::ordered_json corpus = nlohmann::ordered_json::array();
  for (const auto& path : o.corpus_paths) {
    std::string content = read_file(path);
    corpus.push_back(
        {{"file", fs::path(path).filename().string()}, {"bytes", content.size()}, {"fnv1a64", fnv1a64_hex(content)}});
  }
  summary["corpus"] = corpus;
  summary["documents"] = {{"train", split.train.size()},
                          {"heldout", split.heldout.size()},
                          {"heldout_permille", o.heldout_permille},
                          {"dropped_for_calibration_overlap", split.dropped.size()}};
  summary["tokens"] = {{"vocab_size", vocabulary.size()},
                       {"merges", vocabulary.merges.size()},
                       {"train_stream", train_tokens.size()},
                       {"heldout_stream", heldout_tokens.size()}};
  summary["parameters"] = config.parameter_count();
  summary["training"] = {
      {"steps", o.train.steps},
      {"batch_size", o.train.batch_size},
      {"context", config.max_position_embeddings},
      {"tokens_seen", result.log.back().tokens_seen},
      {"epochs", report::format_fixed(double(result.log.back().tokens_seen) / train_tokens.size(), 3)},
      {"peak_learning_rate", o.train.learning_rate},
      {"warmup_steps", o.train.warmup_steps},
      {"weight_decay", o.train.weight_decay},
      {"final_train_loss", report::format_fixed(result.log.back().train_loss, 4)},
      {"final_heldout_loss_fp32_windows", report::format_fixed(result.log.back().heldout_loss, 4)}};
  summary["heldout_eval_saved_model"] = {{"predicted_tokens", ppl.predicted_tokens},
                                         {"nll", report::format_fixed(ppl.model_nll, 4)},
                                         {"perplexity", report::format_fixed(ppl.model_perplexity(), 2)},
                                         {"unigram_nll", report::format_fixed(ppl.unigram_nll, 4)},
                                         {"unigram_perplexity", report::format_fixed(ppl.unigram_perplexity(), 2)}};
  summary["greedy_samples"] = samples;
  write_file_atomic(path_in(o.out_dir, "training_summary.json"), summary.dump(2) + "\n", o.force);
  log_info("held-out perplexity " + report::format_fixed(result.heldout_perplexity, 2) + " (unigram " +
           report::format_fixed(result.unigram_perplexity, 2) + "); " +
           report::format_fixed(result.tokens_per_second, 0) + " tokens/s, " +
           report::format_fixed(result.train_seconds, 0) + " s of training");
  return result;
}

}  // namespace kvt::train
