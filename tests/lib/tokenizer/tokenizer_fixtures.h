// Small hand-built tokenizers for tests: written as real files (tokenizer.json, tokenizer_config.json,
// vocab.json + merges.txt) into a fresh temporary directory. Header-only so tests/calibration can use it.
#pragma once
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lib/tokenizer/byte_level.h"

namespace kvt::test {

// A directory under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("kvt-tok-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

// A byte-level BPE tokenizer.json (GPT-2 style): the 256 byte characters get ids 0..255, then each
// merge's result in merge order gets the next id. Merges are given in raw text ("t", "h") and spelled
// through GPT-2's byte map. `pre_tokenizer` defaults to ByteLevel with GPT-2's regex.
inline nlohmann::json byte_level_tokenizer_json(const std::vector<std::pair<std::string, std::string>>& merges,
                                                nlohmann::json pre_tokenizer = nullptr) {
  nlohmann::json vocab = nlohmann::json::object();
  const auto& bytes = kvt::tok::byte_to_unicode();
  for (int b = 0; b < 256; ++b) vocab[bytes[b]] = b;
  nlohmann::json merge_list = nlohmann::json::array();
  int next = 256;
  for (const auto& [left, right] : merges) {
    std::string l = kvt::tok::bytes_to_unicode_text(left), r = kvt::tok::bytes_to_unicode_text(right);
    merge_list.push_back(l + " " + r);
    if (!vocab.contains(l + r)) vocab[l + r] = next++;
  }
  if (pre_tokenizer.is_null())
    pre_tokenizer = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", nlohmann::json::array()},
          {"normalizer", nullptr},
          {"pre_tokenizer", pre_tokenizer},
          {"post_processor", nullptr},
          {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", nullptr},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", false},
            {"byte_fallback", false},
            {"vocab", vocab},
            {"merges", merge_list}}}};
}

// A SentencePiece-style BPE tokenizer.json (Llama-2 layout): ids 0..2 = <unk>, <s>, </s> (added,
// special), 3..258 = <0x00>..<0xFF>, then `pieces` in order; normalizer Prepend("▁") + Replace(" ", "▁"),
// no pre-tokenizer, byte fallback, BOS through a TemplateProcessing post-processor, Llama-2's decoder.
inline nlohmann::json sentencepiece_tokenizer_json(const std::vector<std::string>& pieces,
                                                   const std::vector<std::pair<std::string, std::string>>& merges,
                                                   bool byte_fallback = true) {
  nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    vocab[name] = 3 + b;
  }
  int next = 259;
  for (const auto& piece : pieces) vocab[piece] = next++;
  nlohmann::json merge_list = nlohmann::json::array();
  for (const auto& [left, right] : merges) merge_list.push_back(left + " " + right);
  auto added = [](int id, const char* content) {
    return nlohmann::json{{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
                          {"rstrip", false}, {"normalized", false}, {"special", true}};
  };
  const std::string metaspace = "\xE2\x96\x81";
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", {added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")}},
          {"normalizer",
           {{"type", "Sequence"},
            {"normalizers",
             {{{"type", "Prepend"}, {"prepend", metaspace}},
              {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", metaspace}}}}}},
          {"pre_tokenizer", nullptr},
          {"post_processor",
           {{"type", "TemplateProcessing"},
            {"single",
             {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"pair", nlohmann::json::array()},
            {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
          {"decoder",
           {{"type", "Sequence"},
            {"decoders",
             {{{"type", "Replace"}, {"pattern", {{"String", metaspace}}}, {"content", " "}},
              {{"type", "ByteFallback"}},
              {{"type", "Fuse"}},
              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", "<unk>"},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", true},
            {"byte_fallback", byte_fallback},
            {"vocab", vocab},
            {"merges", merge_list}}}};
}

// Writes `tokenizer` as DIR/tokenizer.json (and `config` as tokenizer_config.json unless null); returns DIR.
inline std::string write_tokenizer(const TempDir& dir, const nlohmann::json& tokenizer,
                                   const nlohmann::json& config = nullptr) {
  dir.write("tokenizer.json", tokenizer.dump());
  if (!config.is_null()) dir.write("tokenizer_config.json", config.dump());
  return dir.path().string();
}

}  // namespace kvt::test
