// Added / special tokens: a byte trie searched leftmost-longest, like Hugging Face's aho-corasick
// (MatchKind::LeftmostLongest) and transformers.js's DictionarySplitter.
#include <algorithm>

#include "lib/tokenizer/tokenizer_pipeline.h"
#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

namespace {

// Unicode White_Space (a fixed list of 25 code points; Rust's char::is_whitespace, used by lstrip/rstrip).
bool is_white_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Start of the whitespace run that ends at `end` (not going below `floor`).
size_t whitespace_run_start(const std::string& text, size_t end, size_t floor) {
  size_t pos = end;
  while (pos > floor) {
    size_t start = pos - 1;
    while (start > floor && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t probe = start;
    if (!is_white_space(utf8_next(text, probe))) break;
    pos = start;
  }
  return pos;
}

size_t whitespace_run_end(const std::string& text, size_t begin) {
  size_t pos = begin;
  while (pos < text.size()) {
    size_t probe = pos;
    if (!is_white_space(utf8_next(text, probe))) break;
    pos = probe;
  }
  return pos;
}

}  // namespace

void AddedTokenMatcher::build(const std::vector<AddedToken>& tokens) {
  tokens_ = tokens;
  nodes_.assign(1, Node{});
  first_byte_.fill(false);
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const std::string& content = tokens_[t].content;
    if (content.empty()) continue;
    first_byte_[static_cast<unsigned char>(content[0])] = true;
    int32_t node = 0;
    for (unsigned char c : content) {
      auto& children = nodes_[node].children;
      auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(c, int32_t(-1)),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
      if (it != children.end() && it->first == c) {
        node = it->second;
      } else {
        int32_t child = int32_t(nodes_.size());
        children.insert(it, {c, child});  // `children` may dangle after emplace_back below
        nodes_.emplace_back();
        node = child;
      }
    }
    nodes_[node].token = int32_t(t);
  }
}

std::vector<AddedTokenMatcher::Piece> AddedTokenMatcher::split(const std::string& text) const {
  std::vector<Piece> pieces;
  size_t plain_start = 0;  // start of the ordinary text not yet emitted
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    // Longest token starting at pos.
    int32_t node = 0, best = -1;
    size_t best_end = pos;
    for (size_t i = pos; i < text.size(); ++i) {
      const auto& children = nodes_[node].children;
      unsigned char c = static_cast<unsigned char>(text[i]);
      auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(c, int32_t(-1)),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
      if (it == children.end() || it->first != c) break;
      node = it->second;
      if (nodes_[node].token >= 0) {
        best = nodes_[node].token;
        best_end = i + 1;
      }
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[best];
    size_t begin = token.lstrip ? whitespace_run_start(text, pos, plain_start) : pos;
    size_t end = token.rstrip ? whitespace_run_end(text, best_end) : best_end;
    if (begin > plain_start) pieces.push_back({plain_start, begin, -1});
    pieces.push_back({begin, end, token.id});
    plain_start = pos = end;
  }
  if (plain_start < text.size()) pieces.push_back({plain_start, text.size(), -1});
  return pieces;
}

}  // namespace kvt::tok
