// Progress and warnings go to stderr through here; results go to files or stdout.
#pragma once
#include <chrono>
#include <string>

namespace kvt {

// Global verbosity: --quiet silences progress and info; warnings always print.
void set_quiet(bool quiet);
void log_info(const std::string& message);
void log_warning(const std::string& message);

// "label i/n, ETA" on one rewritten stderr line; silent when stderr is not a terminal or quiet.
class Progress {
 public:
  Progress(std::string label, size_t total);
  void update(size_t done, const std::string& detail = "");
  void finish();

 private:
  std::string label_;
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace kvt
