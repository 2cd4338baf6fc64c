#include "lib/core/log.h"

#include <unistd.h>

#include <cstdio>

namespace kvt {

namespace {
bool g_quiet = false;
}

void set_quiet(bool quiet) { g_quiet = quiet; }

void log_info(const std::string& message) {
  if (!g_quiet) std::fprintf(stderr, "%s\n", message.c_str());
}

void log_warning(const std::string& message) { std::fprintf(stderr, "warning: %s\n", message.c_str()); }

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(!g_quiet && ::isatty(2)),
      start_(std::chrono::steady_clock::now()) {}

void Progress::update(size_t done, const std::string& detail) {
  if (!enabled_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double eta = done > 0 ? elapsed * (double(total_) - double(done)) / double(done) : 0.0;
  std::fprintf(stderr, "\r%s %zu/%zu %s ETA %.0fs   ", label_.c_str(), done, total_, detail.c_str(), eta);
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s %zu/%zu done in %.1fs          \n", label_.c_str(), total_, total_, elapsed);
}

}  // namespace kvt
