// tokenizer.json pre-tokenizers: Split (all five delimiter behaviours), ByteLevel, Metaspace.
// The delimiter folding follows huggingface/tokenizers normalizer.rs (NormalizedString::split).
#include <algorithm>

#include "lib/tokenizer/tokenizer_pipeline.h"

namespace kvt::tok {

namespace {

struct Part {
  size_t begin, end;
  bool delimiter;
};

using Behavior = PreTokenizer::Behavior;

// Folds delimiter parts into their neighbours as `behavior` says; returns the kept ranges.
std::vector<std::pair<size_t, size_t>> fold_delimiters(const std::vector<Part>& parts, Behavior behavior) {
  std::vector<std::pair<size_t, size_t>> out;
  bool previous_delimiter = false;
  switch (behavior) {
    case Behavior::kRemoved:
      for (const Part& p : parts)
        if (!p.delimiter) out.emplace_back(p.begin, p.end);
      break;
    case Behavior::kIsolated:
      for (const Part& p : parts) out.emplace_back(p.begin, p.end);
      break;
    case Behavior::kMergedWithPrevious:
      for (const Part& p : parts) {
        if (p.delimiter && !previous_delimiter && !out.empty())
          out.back().second = p.end;
        else
          out.emplace_back(p.begin, p.end);
        previous_delimiter = p.delimiter;
      }
      break;
    case Behavior::kMergedWithNext:
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it->delimiter && !previous_delimiter && !out.empty())
          out.back().first = it->begin;
        else
          out.emplace_back(it->begin, it->end);
        previous_delimiter = it->delimiter;
      }
      std::reverse(out.begin(), out.end());
      break;
    case Behavior::kContiguous:
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0 && parts[i].delimiter == previous_delimiter)
          out.back().second = parts[i].end;
        else
          out.emplace_back(parts[i].begin, parts[i].end);
        previous_delimiter = parts[i].delimiter;
      }
      break;
  }
  return out;
}

// Matches and the text between them, in order, with matches marked (inverted when `invert`).
std::vector<Part> regex_parts(const RegexPreTokenizer& regex, const std::string& text, bool invert) {
  std::vector<std::pair<size_t, size_t>> matches;
  regex.match_spans(text, matches);
  std::vector<Part> parts;
  parts.reserve(matches.size() * 2 + 1);
  size_t last = 0;
  for (const auto& [begin, end] : matches) {
    if (begin > last) parts.push_back({last, begin, invert});
    parts.push_back({begin, end, !invert});
    last = end;
  }
  if (last < text.size()) parts.push_back({last, text.size(), invert});
  return parts;
}

std::string replace_spaces(const std::string& text, const std::string& replacement) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == ' ')
      out += replacement;
    else
      out.push_back(c);
  }
  return out;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void PreTokenizer::pre_tokenize(const std::string& text, bool at_start, std::vector<std::string>& words) const {
  words.clear();
  if (text.empty()) return;
  words.push_back(text);
  // first_at_start: words[0] begins at offset 0 of the whole input (Metaspace prepend_scheme "first").
  bool first_at_start = at_start;
  std::vector<std::string> next;
  std::vector<std::pair<size_t, size_t>> spans;
  for (const Step& step : steps_) {
    next.clear();
    bool next_first_at_start = false;
    for (size_t w = 0; w < words.size(); ++w) {
      std::string& word = words[w];
      bool word_at_start = first_at_start && w == 0;
      switch (step.kind) {
        case Kind::kSplit: {
          auto kept = fold_delimiters(regex_parts(*step.regex, word, step.invert), step.behavior);
          for (const auto& [begin, end] : kept) {
            if (next.empty() && word_at_start && begin == 0) next_first_at_start = true;
            next.emplace_back(word, begin, end - begin);
          }
          break;
        }
        case Kind::kByteLevel: {
          if (step.add_prefix_space && !starts_with(word, " ")) word.insert(0, " ");
          if (next.empty() && word_at_start) next_first_at_start = true;
          if (!step.regex) {
            next.push_back(std::move(word));
            break;
          }
          step.regex->split_spans(word, spans);
          for (const auto& [begin, end] : spans) next.emplace_back(word, begin, end - begin);
          break;
        }
        case Kind::kMetaspace: {
          std::string replaced = replace_spaces(word, step.replacement);
          bool prepend = step.prepend_scheme == PrependScheme::kAlways ||
                         (step.prepend_scheme == PrependScheme::kFirst && word_at_start);
          if (prepend && !starts_with(replaced, step.replacement)) replaced.insert(0, step.replacement);
          if (next.empty() && word_at_start) next_first_at_start = true;
          if (!step.split) {
            next.push_back(std::move(replaced));
            break;
          }
          // Split on the replacement, each one starting the word after it (MergedWithNext).
          std::vector<Part> parts;
          size_t last = 0;
          for (size_t found = replaced.find(step.replacement); found != std::string::npos;
               found = replaced.find(step.replacement, found + step.replacement.size())) {
            if (found > last) parts.push_back({last, found, false});
            parts.push_back({found, found + step.replacement.size(), true});
            last = found + step.replacement.size();
          }
          if (last < replaced.size()) parts.push_back({last, replaced.size(), false});
          for (const auto& [begin, end] : fold_delimiters(parts, Behavior::kMergedWithNext))
            next.emplace_back(replaced, begin, end - begin);
          break;
        }
      }
    }
    words.swap(next);
    first_at_start = next_first_at_start;
  }
}

}  // namespace kvt::tok
