// The strings the tokenizer conformance test feeds to both the C++ tokenizers and the JavaScript
// references: hand-written cases by category (prose, code, numbers and dates, whitespace runs,
// punctuation, accents, CJK, emoji, special tokens, edge cases), pairs of them joined by separators,
// and the first `calibration_documents` paragraphs of a text file.
#pragma once
#include <string>
#include <vector>

namespace kvt::test {

std::vector<std::string> conformance_corpus(const std::string& calibration_text_path, size_t calibration_documents);

}  // namespace kvt::test
