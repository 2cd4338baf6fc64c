#include "lib/train/corpus.h"

#include <filesystem>
#include <sstream>
#include <unordered_set>

#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/core/output.h"

namespace kvt::train {

namespace {

constexpr const char* kReservedToken = "<|endoftext|>";
// inferred: calibration lines shorter than this ("See also {foo}.") are too common to mean overlap.
constexpr size_t kMinOverlapLine = 40;

std::vector<std::string> split_lines(const std::string& content) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(content);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t") == std::string::npos; }

// Lines [begin, end) → text without the common leading spaces, leading/trailing blank lines or
// trailing spaces; tabs are kept as they are.
std::string normalize(const std::vector<std::string>& lines, size_t begin, size_t end) {
  while (begin < end && is_blank(lines[begin])) ++begin;
  while (end > begin && is_blank(lines[end - 1])) --end;
  size_t indent = std::string::npos;
  for (size_t i = begin; i < end; ++i) {
    if (is_blank(lines[i])) continue;
    indent = std::min(indent, lines[i].find_first_not_of(' '));
  }
  std::string out;
  bool previous_blank = false;
  for (size_t i = begin; i < end; ++i) {
    if (is_blank(lines[i])) {
      if (!previous_blank) out += '\n';  // collapse runs of blank lines into one
      previous_blank = true;
      continue;
    }
    previous_blank = false;
    std::string line = lines[i].substr(indent);
    line.erase(line.find_last_not_of(" \t") + 1);
    out += line;
    out += '\n';
  }
  if (!out.empty()) out.pop_back();  // no final newline: documents are joined by the caller
  return out;
}

// "   :headword: rest" → headword; empty when the line does not open a lexicon entry.
std::string jargon_headword(const std::string& line) {
  if (line.rfind("   :", 0) != 0 || line.size() < 6 || line[4] == ' ') return {};
  size_t close = line.find(':', 5);
  while (close != std::string::npos && close + 1 < line.size() && line[close + 1] != ' ')
    close = line.find(':', close + 1);  // headwords such as "C:" style colons inside
  if (close == std::string::npos) return {};
  return line.substr(4, close - 4);
}

std::vector<Document> split_jargon(const std::vector<std::string>& lines, const std::string& source) {
  std::vector<Document> docs;
  size_t start = std::string::npos;
  std::string title;
  auto flush = [&](size_t end) {
    if (start == std::string::npos) return;
    std::string text = normalize(lines, start, end);
    if (!text.empty()) docs.push_back({source, title, text});
    start = std::string::npos;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string head = jargon_headword(lines[i]);
    if (!head.empty()) {
      flush(i);
      start = i;
      title = head;
    } else if (!lines[i].empty() && lines[i][0] != ' ') {
      flush(i);  // an unindented heading ("Appendix A. ...") ends the lexicon
    }
  }
  flush(lines.size());
  return docs;
}

std::vector<Document> split_fortunes(const std::vector<std::string>& lines, const std::string& source) {
  std::vector<Document> docs;
  size_t start = 0;
  int index = 0;
  for (size_t i = 0; i <= lines.size(); ++i) {
    if (i < lines.size() && lines[i] != "%") continue;
    std::string text = normalize(lines, start, i);
    if (!text.empty()) docs.push_back({source, source + "#" + std::to_string(index++), text});
    start = i + 1;
  }
  return docs;
}

}  // namespace

CorpusFormat detect_corpus_format(const std::string& content) {
  std::vector<std::string> lines = split_lines(content);
  size_t entries = 0, percent_lines = 0;
  for (const auto& line : lines) {
    if (!jargon_headword(line).empty()) ++entries;
    if (line == "%") ++percent_lines;
  }
  if (content.find("The Jargon File") != std::string::npos && entries >= 10) return CorpusFormat::kJargonFile;
  if (percent_lines >= 1) return CorpusFormat::kFortune;
  return CorpusFormat::kPlain;
}

std::vector<Document> split_documents(const std::string& content, const std::string& source) {
  std::vector<std::string> lines = split_lines(content);
  switch (detect_corpus_format(content)) {
    case CorpusFormat::kJargonFile:
      return split_jargon(lines, source);
    case CorpusFormat::kFortune:
      return split_fortunes(lines, source);
    case CorpusFormat::kPlain:
      break;
  }
  std::string text = normalize(lines, 0, lines.size());
  if (text.empty()) return {};
  return {{source, source, text}};
}

std::vector<Document> load_corpus(const std::vector<std::string>& paths) {
  std::vector<Document> all;
  for (const auto& path : paths) {
    std::string content = read_file(path);
    if (content.find(kReservedToken) != std::string::npos)
      throw InputError(path + ": contains the reserved token text " + std::string(kReservedToken), 510);
    std::string name = std::filesystem::path(path).filename().string();
    std::vector<Document> docs = split_documents(content, name);
    if (docs.empty()) throw InputError(path + ": --corpus file holds no text", 511);
    all.insert(all.end(), docs.begin(), docs.end());
  }
  return all;
}

CorpusSplit split_corpus(const std::vector<Document>& documents, int heldout_permille,
                         const std::string& calibration_text) {
  if (heldout_permille < 0 || heldout_permille > 500)
    throw InputError("--heldout-permille: " + std::to_string(heldout_permille) + " is outside [0, 500]", 512);
  std::unordered_set<std::string> calibration_lines;
  for (const auto& line : split_lines(calibration_text)) {
    std::string t = trim(line);
    if (t.size() >= kMinOverlapLine) calibration_lines.insert(t);
  }
  CorpusSplit split;
  for (const auto& doc : documents) {
    bool heldout = std::stoull(fnv1a64_hex(doc.text), nullptr, 16) % 1000 < static_cast<uint64_t>(heldout_permille);
    bool overlaps = false;
    if (heldout && !calibration_lines.empty()) {
      for (const auto& line : split_lines(doc.text))
        if (calibration_lines.count(trim(line))) {
          overlaps = true;
          break;
        }
    }
    (!heldout ? split.train : overlaps ? split.dropped : split.heldout).push_back(doc);
  }
  return split;
}

std::string join_documents(const std::vector<Document>& documents) {
  std::string out;
  for (const auto& doc : documents) {
    if (!out.empty()) out += "\n\n";
    out += doc.text;
  }
  out += '\n';
  return out;
}

}  // namespace kvt::train
