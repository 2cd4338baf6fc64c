// kvtuner-train: trains the bundled demo model (byte-level BPE tokenizer + Llama with GQA) from
// plain-text corpus files and writes a Hugging Face model directory. See docs/demo-model.md.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/model/model.h"
#include "lib/train/train_pipeline.h"

int main(int argc, char** argv) {
  CLI::App app{"kvtuner-train: train a small Llama-architecture model and its BPE tokenizer, deterministically"};
  app.set_version_flag("--version", KVT_VERSION);
  kvt::train::PipelineOptions o;
  bool quiet = false;
  std::string save_dtype = "bfloat16";
  app.add_option("--out", o.out_dir, "Output model directory")->required();
  app.add_option("--corpus", o.corpus_paths,
                 "Plain-text corpus file (Jargon File, fortune file or plain text); repeatable")
      ->required();
  app.add_option("--calibration", o.calibration_paths,
                 "Calibration text that the held-out split must not overlap; repeatable");
  app.add_option("--heldout-permille", o.heldout_permille, "Documents held out, per mille")->capture_default_str();
  app.add_option("--seed", o.train.seed, "Seed for weights and batches")->capture_default_str();
  app.add_option("--steps", o.train.steps, "Optimizer steps")->capture_default_str();
  app.add_option("--batch", o.train.batch_size, "Windows (of context tokens) per step")->capture_default_str();
  app.add_option("--lr", o.train.learning_rate, "Peak AdamW learning rate")->capture_default_str();
  app.add_option("--warmup", o.train.warmup_steps, "Linear warmup steps")->capture_default_str();
  app.add_option("--weight-decay", o.train.weight_decay, "AdamW weight decay on matrices")->capture_default_str();
  app.add_option("--eval-every", o.train.eval_every, "Steps between held-out evaluations")->capture_default_str();
  app.add_option("--eval-windows", o.train.eval_windows, "Held-out windows per evaluation")->capture_default_str();
  app.add_option("--vocab-size", o.vocab_size, "BPE vocabulary size, <|endoftext|> included")->capture_default_str();
  app.add_option("--hidden", o.shape.hidden_size, "Hidden size")->capture_default_str();
  app.add_option("--layers", o.shape.num_layers, "Decoder layers")->capture_default_str();
  app.add_option("--heads", o.shape.num_heads, "Query heads")->capture_default_str();
  app.add_option("--kv-heads", o.shape.num_kv_heads, "Key/value heads (GQA)")->capture_default_str();
  app.add_option("--head-dim", o.shape.head_dim, "Head dimension")->capture_default_str();
  app.add_option("--intermediate", o.shape.intermediate_size, "MLP intermediate size")->capture_default_str();
  app.add_option("--context", o.shape.context_length, "Context length (tokens)")->capture_default_str();
  app.add_option("--threads", o.threads, "Intra-op threads (results are reproducible per thread count)")
      ->capture_default_str();
  app.add_option("--save-dtype", save_dtype, "Weight dtype in model.safetensors: bfloat16, float16, float32")
      ->capture_default_str();
  app.add_option("--sample-tokens", o.sample_tokens, "Tokens per greedy sample")->capture_default_str();
  app.add_flag("--force", o.force, "Overwrite existing output files");
  app.add_flag("-q,--quiet", quiet, "No progress output on stderr");

  try {
    app.parse(argc, argv);
    kvt::set_quiet(quiet);
    o.save_dtype = kvt::model::parse_dtype(save_dtype);
    kvt::train::run_training_pipeline(o);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const kvt::Error& e) {
    std::fprintf(stderr, "kvtuner-train: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvtuner-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
