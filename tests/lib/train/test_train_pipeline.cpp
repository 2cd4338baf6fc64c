// kvtuner-train end to end on a tiny shape: the directory loads in the runtime and the tokenizer,
// and two runs with the same seed write byte-identical files.
#include <catch2/catch.hpp>

#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/model/model.h"
#include "lib/tokenizer/tokenizer.h"
#include "lib/train/model_directory.h"
#include "lib/train/train_pipeline.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

std::string write_corpus(const std::string& dir) {
  std::string text;
  const char* lines[] = {"The quick brown fox jumps over the lazy dog.", "A hacker is a person who enjoys code.",
                         "Unix is a family of operating systems.", "To kludge is to patch something badly.",
                         "The Jargon File is a glossary of hacker slang."};
  for (int i = 0; i < 120; ++i) {
    text += lines[i % 5];
    text += " Entry " + std::to_string(i) + " says " + lines[(i * 3) % 5] + "\n%\n";
  }
  std::string path = dir + "/cookies";
  write_file_atomic(path, text, true);
  return path;
}

train::PipelineOptions tiny_options(const std::string& out, const std::string& corpus) {
  train::PipelineOptions o;
  o.out_dir = out;
  o.corpus_paths = {corpus};
  o.heldout_permille = 200;
  o.vocab_size = 300;
  o.shape.hidden_size = 32;
  o.shape.num_layers = 2;
  o.shape.num_heads = 4;
  o.shape.num_kv_heads = 2;
  o.shape.head_dim = 8;
  o.shape.intermediate_size = 48;
  o.shape.context_length = 32;
  o.train.steps = 6;
  o.train.batch_size = 2;
  o.train.warmup_steps = 2;
  o.train.eval_every = 3;
  o.train.eval_windows = 2;
  o.sample_prompts = {"Unix is"};
  o.sample_tokens = 4;
  return o;
}

}  // namespace

TEST_CASE("kvtuner-train pipeline writes a loadable, reproducible model directory", "[lib][train]") {
  set_quiet(true);
  std::string root = test::fresh_test_dir("train_pipeline");
  std::string corpus = write_corpus(root);
  auto a = train::run_training_pipeline(tiny_options(root + "/a", corpus));
  auto b = train::run_training_pipeline(tiny_options(root + "/b", corpus));
  REQUIRE(a.log.size() == 2);
  CHECK(a.heldout_perplexity > 1.0);
  CHECK(a.unigram_perplexity > 1.0);

  std::vector<std::string> files = train::model_directory_files();
  for (const auto& f : train::training_record_files()) files.push_back(f);
  for (const auto& f : files) {
    INFO(f);
    CHECK(read_file(root + "/a/" + f) == read_file(root + "/b/" + f));
  }
  auto model = model::Model::open(root + "/a");
  CHECK(model.config().architecture == "LlamaForCausalLM");
  CHECK(model.config().num_kv_heads == 2);
  CHECK(model.config().vocab_size == 300);
  auto tokenizer = tok::Tokenizer::load(root + "/a");
  CHECK(tokenizer.bos_id() == 299);
  std::string heldout = read_file(root + "/a/heldout.txt");
  CHECK(tokenizer.decode(tokenizer.encode(heldout, false)) == heldout);
  CHECK(heldout.find("Entry") != std::string::npos);
  CHECK(read_file(corpus).find(heldout.substr(0, heldout.find('\n'))) != std::string::npos);
  std::string csv = read_file(root + "/a/training_log.csv");
  CHECK(csv.rfind("step,tokens_seen,train_loss,heldout_loss,learning_rate\n3,192,", 0) == 0);
  CHECK(read_file(root + "/a/loss_curve.svg").find("<polyline") != std::string::npos);
}

TEST_CASE("kvtuner-train pipeline refuses bad options before training", "[lib][train]") {
  std::string root = test::fresh_test_dir("train_pipeline_errors");
  std::string corpus = write_corpus(root);
  auto o = tiny_options(root + "/out", corpus);
  write_file_atomic(root + "/out/config.json", "{}", true);
  CHECK_THROWS_WITH(train::run_training_pipeline(o), Catch::Contains("already exists"));
  o.out_dir = root + "/out2";
  o.corpus_paths = {};
  CHECK_THROWS_WITH(train::run_training_pipeline(o), Catch::Contains("--corpus"));
  o.corpus_paths = {root + "/nope.txt"};
  CHECK_THROWS_WITH(train::run_training_pipeline(o), Catch::Contains("nope.txt"));
  o.corpus_paths = {corpus};
  o.shape.num_kv_heads = 3;
  CHECK_THROWS_WITH(train::run_training_pipeline(o), Catch::Contains("--kv-heads"));
}
