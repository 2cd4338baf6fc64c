#include "apps/kvtuner-search/compute_threads.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>
#include <string>

#include "lib/core/error.h"

namespace kvt::app {

namespace {
int current_threads = kComputeThreads;
}

void set_compute_threads(int threads) {
  if (threads < 1 || threads > 1024)
    throw InputError("--threads " + std::to_string(threads) + ": expected 1..1024", 121);
  at::set_num_threads(threads);
  // OpenBLAS (libopenblas0-pthread) sizes its own pool from the environment at load time and LibTorch does not set
  // it. Looked up at run time, so a build against another BLAS links as well.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
  current_threads = threads;
}

int compute_threads() { return current_threads; }

}  // namespace kvt::app
