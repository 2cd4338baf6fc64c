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
#include "lib/quant/uniform_quantizer.h"
#include "tests/bench/bench_timing.h"

using namespace kvt::quant;

namespace {

// Medians of `op` and of `reference`, run alternately so that load changes hit both alike.
std::pair<double, double> interleaved(int repeats, const std::function<void()>& op,
                                      const std::function<void()>& reference) {
  op();
  reference();
  std::vector<double> a, b;
  for (int i = 0; i < repeats; ++i) {
    a.push_back(kvt::bench::wall_seconds(op));
    b.push_back(kvt::bench::wall_seconds(reference));
  }
  return {kvt::bench::median(a), kvt::bench::median(b)};
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

  auto copy = [&] { std::memcpy(dst.data_ptr(), x.data_ptr(), size_t(bytes)); };
  std::printf("bench_quant: K/V tensor [%lld, %lld, %lld] fp32 = %.1f MB, %d threads, medians of %d alternating runs\n",
              (long long)kv_heads, (long long)tokens, (long long)head_dim, bytes / 1e6, at::get_num_threads(), repeats);
  std::printf("%-46s %10s %12s %10s\n", "operation", "GB/s", "memcpy GB/s", "ratio");

  struct Case {
    const char* name;
    std::function<void()> run;
  };
  const QuantScheme pt = lookup_scheme("per-token-asym"), kivi = lookup_scheme("kivi");
  const TensorQuantSpec symmetric{QuantAxis::PerToken, 0, 0, true};
  const std::vector<Case> cases{
      {"per-token asym 2-bit (group 128)", [&] { fake_quantize_kv(x, pt.key, 2); }},
      {"per-token asym 4-bit (group 128)", [&] { fake_quantize_kv(x, pt.key, 4); }},
      {"per-token asym 8-bit (group 128)", [&] { fake_quantize_kv(x, pt.key, 8); }},
      {"per-token symmetric 4-bit (group 128)", [&] { fake_quantize_kv(x, symmetric, 4); }},
      {"kivi value: per-token asym 4-bit (group 32)", [&] { fake_quantize_kv(x, kivi.value, 4); }},
      {"kivi key: per-channel asym 4-bit (32 tokens)", [&] { fake_quantize_kv(x, kivi.key, 4); }},
      {"kivi key stream_quantize (tail of 7 kept fp)",
       [&] { stream_quantize(x.narrow(1, 0, tokens - 7), kivi.key, 4, {}); }},
      {"ATen path, per-token asym 4-bit (any device)",
       [&] {
         kvt::quant::detail::fake_quantize_groups_aten(x.view({kv_heads, tokens, 1, head_dim}), 3, 4, false);
       }},
  };
  for (int i = 0; i < 3; ++i)  // warm the allocator: fresh 16 MB results otherwise page-fault
    for (const Case& c : cases) c.run();
  for (const Case& c : cases) {
    auto [t, t_copy] = interleaved(repeats, c.run, copy);
    std::printf("%-46s %10.2f %12.2f %10.3f\n", c.name, bytes / t / 1e9, bytes / t_copy / 1e9, t_copy / t);
  }
  return 0;
}
