// The BPE model: a word's characters (or bytes) become symbols, then the adjacent pair with the lowest
// merge rank is merged (leftmost first on ties) until no pair has a merge. This is the order of
// huggingface/tokenizers (word.rs merge_all) and of transformers.js's priority queue.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <functional>
#include <queue>

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer_pipeline.h"
#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

namespace {

const char* const kMetaspace = "\xE2\x96\x81";  // "▁" U+2581, SentencePiece's space
constexpr size_t kMaxCachedWordBytes = 256;     // as transformers.js: long words rarely repeat
constexpr size_t kMaxCacheEntries = 1 << 18;    // cleared when full, bounding memory
constexpr size_t kNaiveMergeLimit = 24;         // below this, rescanning beats a heap

uint64_t pair_key(int32_t left, int32_t right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }

// Whether `token` holds "▁" right after a different character.
bool has_inner_metaspace(const std::string& token) {
  for (size_t found = token.find(kMetaspace, 1); found != std::string::npos; found = token.find(kMetaspace, found + 1))
    if (found < 3 || token.compare(found - 3, 3, kMetaspace) != 0) return true;
  return false;
}

}  // namespace

BpeModel::BpeModel(std::vector<std::string> ids, std::unordered_map<std::string, int32_t> tokens,
                   const std::vector<std::pair<std::string, std::string>>& merges, Options options,
                   const std::string& where)
    : id_to_token_(std::move(ids)), token_to_id_(std::move(tokens)), options_(std::move(options)) {
  merges_.reserve(merges.size() * 2);
  split_before_metaspace_ = true;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    std::string merged = left + right;
    int32_t left_id = this->token_to_id(left), right_id = this->token_to_id(right),
            merged_id = this->token_to_id(merged);
    if (left_id < 0 || right_id < 0 || merged_id < 0) {
      const std::string& missing = left_id < 0 ? left : right_id < 0 ? right : merged;
      throw InputError(where + ": merges[" + std::to_string(rank) + "] \"" + left + " " + right + "\" needs token \"" +
                           missing + "\", which is not in model.vocab",
                       kErrTokenizerVocab);
    }
    // Later duplicates win, as in huggingface/tokenizers and transformers.js (map insertion).
    merges_[pair_key(left_id, right_id)] = MergeValue{int32_t(rank), merged_id};
    if (split_before_metaspace_ && has_inner_metaspace(merged)) split_before_metaspace_ = false;
  }
  for (const auto& [token, id] : token_to_id_) {
    size_t pos = 0;
    uint32_t cp = utf8_next(token, pos);
    if (pos == token.size() && cp != kInvalidCodePoint) code_point_ids_[cp] = id;
  }
  const auto& byte_map = byte_to_unicode();
  for (int b = 0; b < 256; ++b) {
    byte_level_ids_[b] = this->token_to_id(byte_map[b]);
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_fallback_ids_[b] = this->token_to_id(name);
  }
  if (!options_.unk_token.empty()) {
    unk_id_ = this->token_to_id(options_.unk_token);
    if (unk_id_ < 0)
      throw InputError(where + ": model.unk_token \"" + options_.unk_token + "\" is not in model.vocab",
                       kErrTokenizerVocab);
  }
}

int32_t BpeModel::token_to_id(const std::string& token) const {
  auto it = token_to_id_.find(token);
  return it == token_to_id_.end() ? -1 : it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
  if (id < 0 || size_t(id) >= id_to_token_.size() || id_to_token_[id].empty()) return nullptr;
  return &id_to_token_[id];
}

const BpeModel::MergeValue* BpeModel::find_merge(int32_t left, int32_t right) const {
  auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::initial_symbols(const std::string& word, bool byte_level, std::vector<int32_t>& symbols) const {
  symbols.clear();
  size_t pos = 0;
  while (pos < word.size()) {
    size_t start = pos;
    int32_t id;
    if (byte_level) {
      id = byte_level_ids_[static_cast<unsigned char>(word[pos++])];
    } else {
      uint32_t cp = utf8_next(word, pos);
      auto it = code_point_ids_.find(cp);
      id = it == code_point_ids_.end() ? -1 : it->second;
    }
    if (id >= 0) {
      symbols.push_back(id);
      continue;
    }
    // An unknown character: its UTF-8 bytes as <0xNN> tokens when all exist, else the unk token.
    std::string bytes =
        byte_level ? byte_to_unicode()[static_cast<unsigned char>(word[start])] : word.substr(start, pos - start);
    bool fallback = options_.byte_fallback;
    for (unsigned char b : bytes) fallback = fallback && byte_fallback_ids_[b] >= 0;
    if (fallback) {
      for (unsigned char b : bytes) symbols.push_back(byte_fallback_ids_[b]);
    } else if (unk_id_ >= 0) {
      symbols.push_back(unk_id_);
    } else {
      size_t first = 0;
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", unsigned(utf8_next(bytes, first)));
      throw InputError(std::string("tokenizer: character ") + code +
                           " is not in the vocabulary and the model has no unk_token or byte fallback",
                       kErrUnencodable);
    }
  }
}

void BpeModel::apply_merges(std::vector<int32_t>& symbols) const {
  const size_t n = symbols.size();
  if (n < 2) return;
  if (n <= kNaiveMergeLimit) {
    while (symbols.size() > 1) {
      int32_t best_rank = INT32_MAX;
      size_t best = 0;
      int32_t best_id = -1;
      for (size_t i = 0; i + 1 < symbols.size(); ++i) {
        const MergeValue* merge = find_merge(symbols[i], symbols[i + 1]);
        if (merge && merge->rank < best_rank) {
          best_rank = merge->rank;
          best = i;
          best_id = merge->merged_id;
        }
      }
      if (best_id < 0) break;
      symbols[best] = best_id;
      symbols.erase(symbols.begin() + long(best) + 1);
    }
    return;
  }
  // Long words: a doubly linked list plus a min-heap of (rank, position); stale entries are skipped.
  std::vector<int32_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = int32_t(i) - 1;
    next[i] = i + 1 < n ? int32_t(i + 1) : -1;
  }
  struct Entry {
    int32_t rank, pos, left, right;
    bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
  auto push = [&](int32_t pos) {
    if (pos < 0 || next[pos] < 0) return;
    const MergeValue* merge = find_merge(symbols[pos], symbols[next[pos]]);
    if (merge) queue.push(Entry{merge->rank, pos, symbols[pos], symbols[next[pos]]});
  };
  for (size_t i = 0; i + 1 < n; ++i) push(int32_t(i));
  while (!queue.empty()) {
    Entry top = queue.top();
    queue.pop();
    int32_t right = next[top.pos];
    if (!alive[top.pos] || right < 0 || symbols[top.pos] != top.left || symbols[right] != top.right) continue;
    symbols[top.pos] = find_merge(top.left, top.right)->merged_id;
    alive[right] = false;
    next[top.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = top.pos;
    push(prev[top.pos]);
    push(top.pos);
  }
  size_t out = 0;
  for (int32_t i = 0; i >= 0; i = next[i]) symbols[out++] = symbols[i];
  symbols.resize(out);
}

void BpeModel::encode_word(const std::string& word, bool byte_level, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  auto& cache = cache_[byte_level ? 1 : 0];
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache.find(word);
    if (it != cache.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> symbols;
  int32_t whole = options_.ignore_merges ? this->token_to_id(byte_level ? bytes_to_unicode_text(word) : word) : -1;
  if (whole >= 0) {
    symbols.push_back(whole);
  } else {
    initial_symbols(word, byte_level, symbols);
    apply_merges(symbols);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache.size() >= kMaxCacheEntries) cache.clear();
    cache.emplace(word, std::move(symbols));
  }
}

}  // namespace kvt::tok
