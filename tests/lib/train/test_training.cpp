// The trainer's model: learning on a tiny config, the schedule, seeding, and save → load through the
// runtime (lib/model) giving the in-memory model's logits.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::NoGradGuard (not in ATen.h of LibTorch 2.x)

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/model/model.h"
#include "lib/model/safetensors.h"
#include "lib/train/model_directory.h"
#include "lib/train/training_loop.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

train::ModelShape tiny_shape() {
  train::ModelShape s;
  s.hidden_size = 32;
  s.num_layers = 2;
  s.num_heads = 4;
  s.num_kv_heads = 2;
  s.head_dim = 8;
  s.intermediate_size = 64;
  s.context_length = 32;
  return s;
}

// A learnable stream: a fixed pseudo-random cycle of 37 tokens, repeated.
std::vector<int64_t> cyclic_stream(int vocab, size_t length) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < length; ++i) out.push_back(static_cast<int64_t>((i % 37) * 17 % vocab));
  return out;
}

train::BpeVocabulary byte_vocabulary() {
  train::BpeTrainOptions options;
  options.vocab_size = 260;
  return train::train_bpe({"abab abab cdcd cdcd efef efef"}, options);
}

}  // namespace

TEST_CASE("loss decreases within a few steps on a tiny config", "[lib][train]") {
  auto config = train::make_model_config(tiny_shape(), 64, 63);
  train::LlamaParameters model(config, 7);
  auto stream = cyclic_stream(64, 2000);
  double before = train::evaluate_loss(model, stream, 4);
  CHECK(std::abs(before - std::log(64.0)) < 0.3);  // near-uniform predictions at initialisation
  train::TrainOptions options;
  options.steps = 12;
  options.batch_size = 4;
  options.warmup_steps = 2;
  options.learning_rate = 1e-2;
  options.eval_every = 4;
  options.eval_windows = 4;
  auto rows = train::train_model(model, stream, stream, options);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].step == 4);
  CHECK(rows[2].tokens_seen == 12 * 4 * 32);
  CHECK(rows[2].train_loss < rows[0].train_loss);
  CHECK(rows[2].heldout_loss < before - 0.5);
  // The same fp32 forward over the same windows, summed in double in the same order: equal but for the last bits.
  CHECK(train::evaluate_loss(model, stream, 4) == Approx(rows[2].heldout_loss).epsilon(1e-9));
}

TEST_CASE("the same seed gives the same weights and the same training run", "[lib][train]") {
  auto config = train::make_model_config(tiny_shape(), 64, 63);
  train::TrainOptions options;
  options.steps = 3;
  options.batch_size = 2;
  options.eval_every = 3;
  options.eval_windows = 2;
  auto stream = cyclic_stream(64, 500);
  train::LlamaParameters a(config, 3), b(config, 3), c(config, 4);
  auto ra = train::train_model(a, stream, stream, options);
  auto rb = train::train_model(b, stream, stream, options);
  CHECK(ra[0].train_loss == rb[0].train_loss);
  CHECK(ra[0].heldout_loss == rb[0].heldout_loss);
  auto na = a.named_tensors(), nb = b.named_tensors(), nc = c.named_tensors();
  for (size_t i = 0; i < na.size(); ++i) CHECK(at::equal(na[i].second, nb[i].second));
  CHECK_FALSE(at::equal(na[1].second, nc[1].second));
}

TEST_CASE("learning rate: linear warmup then cosine to the floor", "[lib][train]") {
  train::TrainOptions o;
  o.steps = 101;
  o.warmup_steps = 10;
  o.learning_rate = 1.0;
  o.min_learning_rate_ratio = 0.1;
  CHECK(train::learning_rate_at(o, 0) == Approx(0.1));
  CHECK(train::learning_rate_at(o, 9) == Approx(1.0));
  CHECK(train::learning_rate_at(o, 10) == Approx(1.0));
  CHECK(train::learning_rate_at(o, 55) == Approx(0.55));  // halfway: floor + (1 - floor) / 2
  CHECK(train::learning_rate_at(o, 100) == Approx(0.1));
}

TEST_CASE("save then load through the runtime gives the in-memory logits", "[lib][train]") {
  for (bool tied : {true, false}) {
    DYNAMIC_SECTION("tied embeddings: " << tied) {
      auto shape = tiny_shape();
      shape.tie_word_embeddings = tied;
      auto vocab = byte_vocabulary();
      auto config = train::make_model_config(shape, vocab.size(), vocab.end_of_text_id);
      train::LlamaParameters model(config, 11);
      std::string dir = test::fresh_test_dir(tied ? "train_save_tied" : "train_save_untied");
      train::write_model_directory(dir, model, vocab, at::kFloat, false);
      CHECK_THROWS_WITH(train::write_model_directory(dir, model, vocab, at::kFloat, false),
                        Catch::Contains("already exists"));

      std::vector<int64_t> ids = {259, 5, 97, 98, 32, 200, 17, 3, 99, 100, 101, 12};
      at::Tensor expected;
      {
        at::NoGradGuard no_grad;
        expected = model.logits(at::tensor(ids, at::kLong).view({1, -1}))[0];
      }
      auto loaded = model::Model::open(dir);
      CHECK(loaded.config().tie_word_embeddings == tied);
      at::Tensor logits = model::forward(loaded, {ids}, {}).at(0);
      REQUIRE(logits.sizes() == expected.sizes());
      CHECK(at::allclose(logits, expected, /*rtol=*/0, /*atol=*/1e-5));
      CHECK(logits.argmax(-1).equal(expected.argmax(-1)));

      model::SafetensorsFile file(dir + "/model.safetensors");
      CHECK((file.find("lm_head.weight") != nullptr) == !tied);
      CHECK(file.find("model.layers.1.self_attn.k_proj.weight")->shape == std::vector<int64_t>{16, 32});
      CHECK(file.find("model.layers.0.mlp.down_proj.weight")->shape == std::vector<int64_t>{32, 64});
    }
  }
}

TEST_CASE("bf16 save: config says bfloat16 and logits stay close", "[lib][train]") {
  auto vocab = byte_vocabulary();
  auto config = train::make_model_config(tiny_shape(), vocab.size(), vocab.end_of_text_id);
  train::LlamaParameters model(config, 5);
  std::string dir = test::fresh_test_dir("train_save_bf16");
  train::write_model_directory(dir, model, vocab, at::kBFloat16, false);
  auto loaded = model::Model::open(dir);
  CHECK(loaded.config().torch_dtype == "bfloat16");
  CHECK(loaded.weight_dtypes() == std::map<std::string, int>{{"BF16", int(model.named_tensors().size())}});
  std::vector<int64_t> ids = {259, 1, 2, 3, 4, 5};
  at::NoGradGuard no_grad;
  at::Tensor expected = model.logits(at::tensor(ids, at::kLong).view({1, -1}))[0];
  at::Tensor logits = model::forward(loaded, {ids}, {}).at(0);
  CHECK((logits - expected).abs().max().item<double>() < 0.05);
}

TEST_CASE("model shapes that cannot work are rejected naming the option", "[lib][train]") {
  auto shape = tiny_shape();
  shape.num_kv_heads = 3;
  CHECK_THROWS_WITH(train::make_model_config(shape, 64, 63), Catch::Contains("--kv-heads"));
  shape = tiny_shape();
  shape.head_dim = 7;
  CHECK_THROWS_WITH(train::make_model_config(shape, 64, 63), Catch::Contains("--head-dim"));
  shape = tiny_shape();
  shape.num_layers = 0;
  CHECK_THROWS_WITH(train::make_model_config(shape, 64, 63), Catch::Contains("--layers"));
  auto config = train::make_model_config(tiny_shape(), 64, 63);
  train::LlamaParameters model(config, 1);
  train::TrainOptions options;
  CHECK_THROWS_WITH(train::train_model(model, cyclic_stream(64, 10), cyclic_stream(64, 100), options),
                    Catch::Contains("fewer than one window"));
  options.steps = 0;
  CHECK_THROWS_WITH(train::train_model(model, cyclic_stream(64, 100), cyclic_stream(64, 100), options),
                    Catch::Contains("--steps"));
}
