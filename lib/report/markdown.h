// The one Markdown table writer of kvtuner's reports (report.md, evaluation.md, rescore.md, the run report):
// GitHub-flavoured pipe tables, "| a | b |" rows under a "| --- | --- |" separator. A cell's '|' is escaped as
// "\|" and a line break becomes a space, so no cell can split a row; an empty cell prints as "| |".
#pragma once
#include <string>
#include <vector>

namespace kvt::report {

class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<std::string> header);
  // @throws std::logic_error when the row does not have one cell per header column (a writer's bug).
  MarkdownTable& row(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  std::string str() const;  // header, separator and rows, each line ending in '\n'

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A Markdown cell's text: '|' → "\|", '\n' and '\r' → ' '.
std::string markdown_cell(const std::string& text);

}  // namespace kvt::report
