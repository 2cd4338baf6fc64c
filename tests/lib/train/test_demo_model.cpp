// The committed demo model (data/models/kvt-demo-6l): the shape the project promises, loadable by the
// runtime and the tokenizer, trained (beats the unigram baseline on held-out text), and a held-out
// file disjoint from the bundled calibration text.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "lib/core/output.h"
#include "lib/model/model.h"
#include "lib/tokenizer/tokenizer.h"

using namespace kvt;

namespace {
const std::string kDir = std::string(KVT_SOURCE_DIR) + "/data/models/kvt-demo-6l";

std::unordered_set<std::string> long_lines(const std::string& text) {
  std::unordered_set<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t");
    if (b != std::string::npos && e - b + 1 >= 40) out.insert(line.substr(b, e - b + 1));
  }
  return out;
}
}  // namespace

TEST_CASE("demo model: shape, size and tokenizer", "[lib][train][demo]") {
  auto model = model::Model::open(kDir);
  const auto& c = model.config();
  CHECK(c.architecture == "LlamaForCausalLM");
  CHECK(c.num_layers >= 6);
  CHECK(c.num_kv_heads < c.num_heads);
  CHECK(c.head_dim >= 32);
  CHECK(c.max_position_embeddings >= 256);
  CHECK(model.weight_dtypes().count("BF16") == 1);
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) bytes += entry.file_size();
  CHECK(bytes <= 20u * 1000 * 1000);

  auto tokenizer = tok::Tokenizer::load(kDir);
  CHECK(tokenizer.vocab_size() == static_cast<size_t>(c.vocab_size));
  CHECK(tokenizer.bos_id() == c.bos_token_id);
  std::string heldout = read_file(kDir + "/heldout.txt");
  CHECK(tokenizer.decode(tokenizer.encode(heldout, false)) == heldout);
}

TEST_CASE("demo model: beats the unigram baseline on held-out text", "[lib][train][demo]") {
  auto model = model::Model::open(kDir);
  auto tokenizer = tok::Tokenizer::load(kDir);
  auto summary = nlohmann::json::parse(read_file(kDir + "/training_summary.json"));
  double unigram_nll = std::stod(summary["heldout_eval_saved_model"]["unigram_nll"].get<std::string>());
  std::vector<int64_t> ids = tokenizer.encode(read_file(kDir + "/heldout.txt"), true);
  ids.resize(256);
  auto logprobs = model::token_logprobs(model, {ids}, {});
  double nll = 0;
  for (double lp : logprobs[0]) nll -= lp;
  nll /= logprobs[0].size();
  CHECK(nll < unigram_nll - 1.0);
}

TEST_CASE("demo model: held-out text is disjoint from the bundled calibration set", "[lib][train][demo]") {
  std::string calibration_path = std::string(KVT_SOURCE_DIR) + "/data/calibration/default.txt";
  REQUIRE(std::filesystem::is_regular_file(calibration_path));
  auto calibration = long_lines(read_file(calibration_path));
  auto heldout = long_lines(read_file(kDir + "/heldout.txt"));
  REQUIRE(heldout.size() > 100);
  for (const auto& line : heldout) {
    INFO(line);
    CHECK(calibration.count(line) == 0);
  }
}
