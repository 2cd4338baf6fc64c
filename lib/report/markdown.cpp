#include "lib/report/markdown.h"

#include <stdexcept>

namespace kvt::report {

namespace {

std::string line_of(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const auto& c : cells) line += c.empty() ? " |" : " " + markdown_cell(c) + " |";
  return line + "\n";
}

}  // namespace

std::string markdown_cell(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

MarkdownTable::MarkdownTable(std::vector<std::string> header) : header_(std::move(header)) {
  if (header_.empty()) throw std::logic_error("MarkdownTable: a table needs at least one column");
}

MarkdownTable& MarkdownTable::row(std::vector<std::string> cells) {
  if (cells.size() != header_.size())
    throw std::logic_error("MarkdownTable: a row of " + std::to_string(cells.size()) + " cells under " +
                           std::to_string(header_.size()) + " columns");
  rows_.push_back(std::move(cells));
  return *this;
}

std::string MarkdownTable::str() const {
  std::string out = line_of(header_);
  out += "|";
  for (size_t i = 0; i < header_.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& r : rows_) out += line_of(r);
  return out;
}

}  // namespace kvt::report
