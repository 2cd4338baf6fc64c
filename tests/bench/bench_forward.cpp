// Forward-pass benchmark (a program, not a test). Prints ratios measured in one run:
//  1. A Llama-3.1-8B-shaped decoder layer (hidden 4096, 32 heads, 8 KV heads, intermediate 14336) at T=512:
//     GFLOP/s of the runtime's decoder block (model::decoder_block, what forward() runs) vs bare torch matmuls
//     of the same shapes. Target ≥ 0.6.
//  2. Peak RSS of a forward through a 16-layer vs a 2-layer model of the same width, streamed from
//     safetensors files, each measured in a fresh child process. Target ≤ 1.25.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "tests/bench/bench_timing.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

template <class F>
double best_of(int repeats, F&& f) {
  f();  // warm-up
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) best = std::min(best, bench::wall_seconds(f));
  return best;
}

void bench_layer_throughput(int repeats) {
  c10::InferenceMode guard;
  model::ModelConfig c;
  c.hidden_size = 4096;
  c.num_heads = 32;
  c.num_kv_heads = 8;
  c.head_dim = 128;
  c.intermediate_size = 14336;
  c.rope_theta = 500000;
  c.rms_norm_eps = 1e-5;
  const int64_t T = 512, h = 4096, q = 4096, kv = 1024, inter = 14336;
  at::manual_seed(0);
  model::LayerWeights w;
  w.input_norm = at::ones({h});
  w.post_attention_norm = at::ones({h});
  w.q_proj = at::randn({q, h}) * 0.02;
  w.k_proj = at::randn({kv, h}) * 0.02;
  w.v_proj = at::randn({kv, h}) * 0.02;
  w.o_proj = at::randn({h, q}) * 0.02;
  w.gate_proj = at::randn({inter, h}) * 0.02;
  w.up_proj = at::randn({inter, h}) * 0.02;
  w.down_proj = at::randn({h, inter}) * 0.02;
  at::Tensor x = at::randn({1, T, h});
  auto rope = model::rope_tables(c, T, at::kCPU);

  // FLOPs: the seven projections plus QK^T and PV (full T×T, as computed).
  double proj_flops = 2.0 * T * (double(q) * h + 2.0 * kv * h + double(h) * q + 3.0 * inter * h);
  double attn_flops = 2.0 * 2.0 * 32 * double(T) * T * 128;
  double flops = proj_flops + attn_flops;

  // The block forward() runs for every layer: one prompt of T tokens packed into [T, hidden] rows.
  const model::PackedRows packed({T});
  at::Tensor rows = x.view({T, h});
  double ours = best_of(repeats, [&] { model::decoder_block(c, 0, w, rows, packed, rope); });
  // The baseline is the fastest plain form of the same products: at::mm on pre-transposed contiguous
  // weights and at::bmm over the 32 query heads.
  at::Tensor x2 = x.view({T, h});
  at::Tensor wq = w.q_proj.t().contiguous(), wk = w.k_proj.t().contiguous(), wv = w.v_proj.t().contiguous(),
             wo = w.o_proj.t().contiguous(), wg = w.gate_proj.t().contiguous(), wu = w.up_proj.t().contiguous(),
             wd = w.down_proj.t().contiguous();
  at::Tensor qh = at::randn({32, T, 128}), kt = at::randn({32, 128, T}), vh = at::randn({32, T, 128});
  at::Tensor a_in = at::randn({T, q}), m_in = at::randn({T, inter}), probs = at::randn({32, T, T});
  double bare = best_of(repeats, [&] {
    at::mm(x2, wq);
    at::mm(x2, wk);
    at::mm(x2, wv);
    at::bmm(qh, kt);
    at::bmm(probs, vh);
    at::mm(a_in, wo);
    at::mm(x2, wg);
    at::mm(x2, wu);
    at::mm(m_in, wd);
  });
  std::printf("Llama-3.1-8B-shaped layer, T=%lld, fp32, %d threads, best of %d\n", (long long)T, at::get_num_threads(),
              repeats);
  std::printf("  layer forward     %8.3f s  %7.1f GFLOP/s\n", ours, flops / ours / 1e9);
  std::printf("  bare matmuls      %8.3f s  %7.1f GFLOP/s\n", bare, flops / bare / 1e9);
  std::printf("  ratio forward/bare GFLOP/s = %.3f   (target >= 0.6)\n", bare / ours);
}

long child_peak_rss_kb(const char* self, const std::string& dir) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, "--child-forward", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child forward failed for %s\n", dir.c_str());
    return -1;
  }
  return usage.ru_maxrss;
}

int child_forward(const std::string& dir) {
  auto m = model::Model::open(dir);
  auto prompts = test::random_prompts({256, 256, 256, 256}, m.config().vocab_size, 1);
  model::ForwardHooks hooks;
  double sink = 0;
  hooks.on_logits = [&](int, const at::Tensor& logits) { sink += logits[0][0].item<double>(); };
  model::forward(m, prompts, {}, hooks);
  return sink == 12345.678 ? 1 : 0;
}

void bench_peak_memory(const char* self) {
  test::FixtureSpec spec;
  spec.hidden = 1024;
  spec.heads = 16;
  spec.kv_heads = 4;
  spec.head_dim = 64;
  spec.intermediate = 2816;
  spec.vocab = 8192;
  spec.dtype = "BF16";
  std::string root = (std::filesystem::temp_directory_path() / "kvtuner-bench-forward").string();
  spec.layers = 2;
  auto small = test::write_fixture_model(root + "/layers2", spec);
  spec.layers = 16;
  auto large = test::write_fixture_model(root + "/layers16", spec);
  long rss2 = child_peak_rss_kb(self, small), rss16 = child_peak_rss_kb(self, large);
  auto size_mb = [](const std::string& d) { return std::filesystem::file_size(d + "/model.safetensors") / 1e6; };
  std::printf("Peak RSS, forward of 4 prompts x 256 tokens, hidden 1024, bf16 files, fp32 compute\n");
  std::printf("   2 layers: file %7.1f MB, peak RSS %7.1f MB\n", size_mb(small), rss2 / 1024.0);
  std::printf("  16 layers: file %7.1f MB, peak RSS %7.1f MB\n", size_mb(large), rss16 / 1024.0);
  std::printf("  ratio 16-layer / 2-layer peak RSS = %.3f   (target <= 1.25)\n", double(rss16) / double(rss2));
  std::filesystem::remove_all(root);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--child-forward") == 0) return child_forward(argv[2]);
  int repeats = 3;
  if (argc == 3 && std::strcmp(argv[1], "--repeats") == 0) repeats = std::atoi(argv[2]);
  bench_layer_throughput(repeats);
  bench_peak_memory("/proc/self/exe");
  return 0;
}
