#include "lib/train/bpe_trainer.h"

#include <algorithm>
#include <unordered_map>

#include "lib/core/error.h"
#include "lib/tokenizer/byte_level.h"

namespace kvt::train {

namespace {

uint64_t pair_key(int left, int right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}
int key_left(uint64_t key) { return static_cast<int>(key >> 32); }
int key_right(uint64_t key) { return static_cast<int>(key & 0xffffffffu); }

struct Word {
  std::vector<int> symbols;  // token ids
  int64_t count = 0;         // occurrences of this pre-tokenized piece in the corpus
};

// Replaces every non-overlapping (left, right) occurrence, scanning left to right, by `merged`.
void merge_pair(std::vector<int>& symbols, int left, int right, int merged) {
  size_t out = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
      symbols[out++] = merged;
      ++i;
    } else {
      symbols[out++] = symbols[i];
    }
  }
  symbols.resize(out);
}

}  // namespace

BpeVocabulary train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& options) {
  if (options.vocab_size < 258)
    throw InputError("--vocab-size: " + std::to_string(options.vocab_size) +
                         " is too small (256 bytes + at least one merge + <|endoftext|>)",
                     520);
  kvt::tok::RegexPreTokenizer pre_tokenizer(kvt::tok::kGpt2Pattern);
  std::unordered_map<std::string, int64_t> piece_counts;
  std::vector<std::pair<size_t, size_t>> spans;
  for (const auto& text : texts) {
    pre_tokenizer.split_spans(text, spans);
    for (const auto& [begin, end] : spans) ++piece_counts[text.substr(begin, end - begin)];
  }
  // Sorted pieces: word indices (and so every later step) do not depend on hash-map order.
  std::vector<std::pair<std::string, int64_t>> pieces(piece_counts.begin(), piece_counts.end());
  std::sort(pieces.begin(), pieces.end());

  BpeVocabulary vocab;
  for (int b = 0; b < 256; ++b) vocab.token_bytes.push_back(std::string(1, static_cast<char>(b)));

  std::vector<Word> words;
  words.reserve(pieces.size());
  std::unordered_map<uint64_t, int64_t> pair_counts;
  std::unordered_map<uint64_t, std::vector<int>> pair_words;  // may hold stale or repeated entries
  for (const auto& [piece, count] : pieces) {
    Word w;
    w.count = count;
    for (unsigned char c : piece) w.symbols.push_back(c);
    int index = static_cast<int>(words.size());
    for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
      uint64_t key = pair_key(w.symbols[i], w.symbols[i + 1]);
      pair_counts[key] += count;
      pair_words[key].push_back(index);
    }
    words.push_back(std::move(w));
  }

  const int target_merges = options.vocab_size - 257;
  while (static_cast<int>(vocab.merges.size()) < target_merges) {
    uint64_t best = 0;
    int64_t best_count = 0;
    for (const auto& [key, count] : pair_counts) {
      if (count < best_count || count <= 0) continue;
      if (count == best_count) {
        const std::string& l = vocab.token_bytes[key_left(key)];
        const std::string& bl = vocab.token_bytes[key_left(best)];
        if (l > bl) continue;
        if (l == bl && vocab.token_bytes[key_right(key)] >= vocab.token_bytes[key_right(best)]) continue;
      }
      best = key;
      best_count = count;
    }
    if (best_count < std::max<int64_t>(1, options.min_pair_count)) break;
    const int left = key_left(best), right = key_right(best);
    const int merged = static_cast<int>(vocab.token_bytes.size());
    vocab.token_bytes.push_back(vocab.token_bytes[left] + vocab.token_bytes[right]);
    vocab.merges.emplace_back(left, right);

    std::vector<int> affected = std::move(pair_words[best]);
    pair_words.erase(best);
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    for (int index : affected) {
      Word& w = words[index];
      bool contains = false;
      for (size_t i = 0; i + 1 < w.symbols.size() && !contains; ++i)
        contains = w.symbols[i] == left && w.symbols[i + 1] == right;
      if (!contains) continue;
      for (size_t i = 0; i + 1 < w.symbols.size(); ++i)
        pair_counts[pair_key(w.symbols[i], w.symbols[i + 1])] -= w.count;
      merge_pair(w.symbols, left, right, merged);
      for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
        uint64_t key = pair_key(w.symbols[i], w.symbols[i + 1]);
        pair_counts[key] += w.count;
        pair_words[key].push_back(index);
      }
    }
    pair_counts.erase(best);
  }
  vocab.end_of_text_id = static_cast<int>(vocab.token_bytes.size());
  vocab.token_bytes.push_back(kEndOfText);
  return vocab;
}

BpeEncoder::BpeEncoder(const BpeVocabulary& vocabulary) : vocabulary_(vocabulary) {
  for (size_t i = 0; i < vocabulary.merges.size(); ++i) merge_rank_[vocabulary.merges[i]] = static_cast<int>(i);
}

std::vector<int64_t> BpeEncoder::encode_piece(const std::string& piece) const {
  auto cached = cache_.find(piece);
  if (cached != cache_.end()) return cached->second;
  std::vector<int> symbols;
  for (unsigned char c : piece) symbols.push_back(c);
  while (symbols.size() > 1) {
    int best_rank = -1;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = merge_rank_.find({symbols[i], symbols[i + 1]});
      if (it != merge_rank_.end() && (best_rank < 0 || it->second < best_rank)) best_rank = it->second;
    }
    if (best_rank < 0) break;
    const auto& [left, right] = vocabulary_.merges[best_rank];
    merge_pair(symbols, left, right, 256 + best_rank);
  }
  std::vector<int64_t> ids(symbols.begin(), symbols.end());
  cache_.emplace(piece, ids);
  return ids;
}

std::vector<int64_t> BpeEncoder::encode(const std::string& text) const {
  static const kvt::tok::RegexPreTokenizer pre_tokenizer(kvt::tok::kGpt2Pattern);
  std::vector<std::pair<size_t, size_t>> spans;
  pre_tokenizer.split_spans(text, spans);
  std::vector<int64_t> ids;
  for (const auto& [begin, end] : spans) {
    std::vector<int64_t> piece = encode_piece(text.substr(begin, end - begin));
    ids.insert(ids.end(), piece.begin(), piece.end());
  }
  return ids;
}

std::string BpeEncoder::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) {
    if (id < 0 || id >= vocabulary_.size())
      throw InputError("token id " + std::to_string(id) + " is out of range", 521);
    out += vocabulary_.token_bytes[id];
  }
  return out;
}

nlohmann::json tokenizer_json(const BpeVocabulary& vocabulary) {
  nlohmann::ordered_json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  nlohmann::ordered_json special;
  special["id"] = vocabulary.end_of_text_id;
  special["content"] = kEndOfText;
  special["single_word"] = false;
  special["lstrip"] = false;
  special["rstrip"] = false;
  special["normalized"] = false;
  special["special"] = true;
  j["added_tokens"] = nlohmann::ordered_json::array({special});
  j["normalizer"] = nullptr;
  nlohmann::ordered_json byte_level;
  byte_level["type"] = "ByteLevel";
  byte_level["add_prefix_space"] = false;
  byte_level["trim_offsets"] = true;
  byte_level["use_regex"] = true;
  j["pre_tokenizer"] = byte_level;
  // Every training document starts after <|endoftext|>, so encoding with special tokens prepends it.
  nlohmann::ordered_json bos_piece = {{"SpecialToken", {{"id", kEndOfText}, {"type_id", 0}}}};
  auto sequence = [](const char* id) { return nlohmann::ordered_json{{"Sequence", {{"id", id}, {"type_id", 0}}}}; };
  nlohmann::ordered_json post;
  post["type"] = "TemplateProcessing";
  post["single"] = nlohmann::ordered_json::array({bos_piece, sequence("A")});
  post["pair"] = nlohmann::ordered_json::array({bos_piece, sequence("A"), bos_piece, sequence("B")});
  post["special_tokens"] = {
      {kEndOfText, {{"id", kEndOfText}, {"ids", {vocabulary.end_of_text_id}}, {"tokens", {kEndOfText}}}}};
  j["post_processor"] = post;
  j["decoder"] = byte_level;
  nlohmann::ordered_json model;
  model["type"] = "BPE";
  model["dropout"] = nullptr;
  model["unk_token"] = nullptr;
  model["continuing_subword_prefix"] = nullptr;
  model["end_of_word_suffix"] = nullptr;
  model["fuse_unk"] = false;
  model["byte_fallback"] = false;
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (int id = 0; id < vocabulary.size(); ++id) {
    if (id == vocabulary.end_of_text_id)
      vocab[kEndOfText] = id;
    else
      vocab[kvt::tok::bytes_to_unicode_text(vocabulary.token_bytes[id])] = id;
  }
  model["vocab"] = vocab;
  nlohmann::ordered_json merges = nlohmann::ordered_json::array();
  for (const auto& [left, right] : vocabulary.merges)
    merges.push_back(kvt::tok::bytes_to_unicode_text(vocabulary.token_bytes[left]) + " " +
                     kvt::tok::bytes_to_unicode_text(vocabulary.token_bytes[right]));
  model["merges"] = merges;
  j["model"] = model;
  return nlohmann::json::parse(j.dump());
}

nlohmann::json tokenizer_config_json(const BpeVocabulary& vocabulary, int context_length) {
  nlohmann::json j;
  j["tokenizer_class"] = "PreTrainedTokenizerFast";
  j["bos_token"] = kEndOfText;
  j["eos_token"] = kEndOfText;
  j["unk_token"] = kEndOfText;
  j["add_bos_token"] = true;
  j["add_eos_token"] = false;
  j["clean_up_tokenization_spaces"] = false;
  j["model_max_length"] = context_length;
  nlohmann::json added;
  added[std::to_string(vocabulary.end_of_text_id)] = {{"content", kEndOfText}, {"lstrip", false},
                                                      {"normalized", false},   {"rstrip", false},
                                                      {"single_word", false},  {"special", true}};
  j["added_tokens_decoder"] = added;
  return j;
}

}  // namespace kvt::train
