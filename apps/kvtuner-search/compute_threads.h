// The number of threads every numeric computation of kvtuner-search uses (--threads, default 1): set explicitly, so
// that results depend neither on the machine's core count nor on OMP_NUM_THREADS / OPENBLAS_NUM_THREADS. Reductions
// split across threads add in another order for another thread count (up to 1e-4 relative apart on the demo model),
// so outputs are byte-identical for one --threads value and may differ in the last digits between values.
#pragma once

namespace kvt::app {

// The default of --threads (docs/benchmarks.md, "Thread count", has the speed cost).
inline constexpr int kComputeThreads = 1;

// Sets LibTorch's intra-op threads (OpenMP) and OpenBLAS's own thread pool to `threads`.
// @throws InputError 121 naming --threads unless 1 <= threads <= 1024.
void set_compute_threads(int threads);
// The count last set (kComputeThreads before any call): recorded in outputs.
int compute_threads();

}  // namespace kvt::app
