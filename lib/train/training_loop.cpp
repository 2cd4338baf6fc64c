#include "lib/train/training_loop.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <cmath>
#include <random>

#include "lib/core/error.h"

namespace kvt::train {

namespace {

// Consecutive non-overlapping windows of `length` tokens from the start of the stream: [N, length].
at::Tensor consecutive_windows(const std::vector<int64_t>& tokens, int64_t length, int max_windows) {
  int64_t count = std::min<int64_t>(max_windows, static_cast<int64_t>(tokens.size()) / length);
  std::vector<int64_t> flat(tokens.begin(), tokens.begin() + count * length);
  return at::tensor(flat, at::kLong).view({count, length});
}

void check_options(const TrainOptions& o) {
  if (o.steps <= 0) throw InputError("--steps: must be positive, got " + std::to_string(o.steps), 540);
  if (o.batch_size <= 0) throw InputError("--batch: must be positive, got " + std::to_string(o.batch_size), 540);
  if (!(o.learning_rate > 0)) throw InputError("--lr: must be positive", 540);
  if (o.eval_every <= 0) throw InputError("--eval-every: must be positive", 540);
  if (o.eval_windows <= 0) throw InputError("--eval-windows: must be positive", 540);
  if (o.warmup_steps < 0) throw InputError("--warmup: must not be negative", 540);
}

}  // namespace

double learning_rate_at(const TrainOptions& o, int step) {
  if (step < o.warmup_steps) return o.learning_rate * (step + 1) / o.warmup_steps;
  int decay_steps = std::max(1, o.steps - o.warmup_steps - 1);
  double progress = std::min(1.0, double(step - o.warmup_steps) / decay_steps);
  double floor = o.learning_rate * o.min_learning_rate_ratio;
  return floor + (o.learning_rate - floor) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

double evaluate_loss(const LlamaParameters& model, const std::vector<int64_t>& tokens, int max_windows) {
  const int64_t window = model.config().max_position_embeddings + 1;
  if (static_cast<int64_t>(tokens.size()) < window)
    throw InputError("held-out text has " + std::to_string(tokens.size()) + " tokens, fewer than one window (" +
                         std::to_string(window) + ")",
                     541);
  at::NoGradGuard no_grad;
  at::Tensor windows = consecutive_windows(tokens, window, max_windows);
  double total = 0.0;
  for (int64_t i = 0; i < windows.size(0); ++i) total += model.loss(windows.narrow(0, i, 1)).item<double>();
  return total / windows.size(0);
}

std::vector<TrainLogRow> train_model(LlamaParameters& model, const std::vector<int64_t>& train_tokens,
                                     const std::vector<int64_t>& heldout_tokens, const TrainOptions& o,
                                     const std::function<void(const TrainLogRow&)>& on_row) {
  check_options(o);
  const int64_t window = model.config().max_position_embeddings + 1;
  const int64_t stream = static_cast<int64_t>(train_tokens.size());
  if (stream < window)
    throw InputError("training text has " + std::to_string(stream) + " tokens, fewer than one window (" +
                         std::to_string(window) + ")",
                     541);

  std::vector<at::Tensor> decayed, not_decayed;
  for (const auto& [name, t] : model.named_tensors()) (t.dim() >= 2 ? decayed : not_decayed).push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto options_with_decay = [&](double decay) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(o.learning_rate).betas({o.beta1, o.beta2}).eps(1e-8).weight_decay(decay));
  };
  groups.emplace_back(decayed, options_with_decay(o.weight_decay));
  groups.emplace_back(not_decayed, options_with_decay(0.0));
  torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(o.learning_rate));
  std::vector<at::Tensor> params = model.parameters();

  // Window starts come from our own mt19937_64 (specified by the standard, unlike its distributions).
  std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ULL + 1);
  const uint64_t start_range = static_cast<uint64_t>(stream - window + 1);
  std::vector<int64_t> batch(static_cast<size_t>(o.batch_size * window));

  std::vector<TrainLogRow> rows;
  double loss_sum = 0.0;
  int loss_count = 0;
  for (int step = 0; step < o.steps; ++step) {
    for (int b = 0; b < o.batch_size; ++b) {
      int64_t start = static_cast<int64_t>(rng() % start_range);
      std::copy(train_tokens.begin() + start, train_tokens.begin() + start + window, batch.begin() + b * window);
    }
    at::Tensor windows = at::tensor(batch, at::kLong).view({o.batch_size, window});
    double lr = learning_rate_at(o, step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);

    optimizer.zero_grad();
    at::Tensor loss = model.loss(windows);
    loss.backward();
    {
      at::NoGradGuard no_grad;
      at::Tensor squared = at::zeros({}, at::kDouble);
      for (const auto& p : params)
        if (p.grad().defined()) squared += p.grad().to(at::kDouble).pow(2).sum();
      double norm = std::sqrt(squared.item<double>());
      if (norm > o.grad_clip)
        for (auto& p : params)
          if (p.grad().defined()) p.mutable_grad().mul_(o.grad_clip / (norm + 1e-6));
    }
    optimizer.step();
    loss_sum += loss.item<double>();
    ++loss_count;

    if ((step + 1) % o.eval_every == 0 || step + 1 == o.steps) {
      TrainLogRow row;
      row.step = step + 1;
      row.tokens_seen = int64_t(step + 1) * o.batch_size * (window - 1);
      row.train_loss = loss_sum / loss_count;
      row.heldout_loss = evaluate_loss(model, heldout_tokens, o.eval_windows);
      row.learning_rate = lr;
      rows.push_back(row);
      if (on_row) on_row(row);
      loss_sum = 0.0;
      loss_count = 0;
    }
  }
  return rows;
}

}  // namespace kvt::train
