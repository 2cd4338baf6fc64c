// Fake-quantization throughput (a program, not a test): GB/s of K/V fake quantization next to memcpy GB/s
// on the same buffer, measured in one run. GB/s = input bytes / time for every row (memcpy reads and writes
// them once; fake quantization reads them, writes the result and some temporaries).
//   bench_quant [repeats=9] [tokens=4096]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "lib/quant/scheme_registry.h"
#include "lib/quant/streaming_quantizer.h"

using namespace kvt::quant;
using Clock = std::chrono::steady_clock;

namespace {

double median_seconds(int repeats, const std::function<void()>& f) {
  f();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const int64_t tokens = argc > 2 ? std::max(32, std::atoi(argv[2])) / 32 * 32 : 4096;
  c10::InferenceMode guard;
  at::manual_seed(0);
  const int64_t kv_heads = 8, head_dim = 128;
  at::Tensor x = at::randn({kv_heads, tokens, head_dim});  // [H_kv, T, D] fp32
  const double bytes = double(x.numel()) * sizeof(float);
  at::Tensor dst = at::empty_like(x);

  double t_memcpy = median_seconds(repeats, [&] { std::memcpy(dst.data_ptr(), x.data_ptr(), size_t(bytes)); });
  const double memcpy_gbs = bytes / t_memcpy / 1e9;
  std::printf("bench_quant: K/V tensor [%lld, %lld, %lld] fp32 = %.1f MB, %d threads, median of %d runs\n",
              (long long)kv_heads, (long long)tokens, (long long)head_dim, bytes / 1e6, at::get_num_threads(), repeats);
  std::printf("%-44s %10s %12s\n", "operation", "GB/s", "÷ memcpy");
  std::printf("%-44s %10.2f %12.3f\n", "memcpy", memcpy_gbs, 1.0);

  struct Case {
    const char* name;
    TensorQuantSpec spec;
    int bits;
  };
  const QuantScheme pt = lookup_scheme("per-token-asym"), kivi = lookup_scheme("kivi");
  const std::vector<Case> cases{
      {"per-token asym 4-bit (group 128)", pt.key, 4},
      {"per-token asym 2-bit (group 128)", pt.key, 2},
      {"per-token asym 8-bit (group 128)", pt.key, 8},
      {"kivi value: per-token asym 4-bit (group 32)", kivi.value, 4},
      {"kivi key: per-channel asym 4-bit (32 tokens)", kivi.key, 4},
      {"per-token symmetric 4-bit (group 128)", {QuantAxis::PerToken, 0, 0, true}, 4},
  };
  for (const Case& c : cases) {
    double t = median_seconds(repeats, [&] { fake_quantize_kv(x, c.spec, c.bits); });
    std::printf("%-44s %10.2f %12.3f\n", c.name, bytes / t / 1e9, bytes / t / 1e9 / memcpy_gbs);
  }
  double t_stream = median_seconds(repeats, [&] { stream_quantize(x.narrow(1, 0, tokens - 7), kivi.key, 4, {}); });
  std::printf("%-44s %10.2f %12.3f\n", "kivi key stream_quantize (T-7: tail kept fp)", bytes / t_stream / 1e9,
              bytes / t_stream / 1e9 / memcpy_gbs);
  return 0;
}
