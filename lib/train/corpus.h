// The training corpus: plain-text files from Debian packages split into documents, and a
// deterministic document-level train / held-out split.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kvt::train {

struct Document {
  std::string source;  // file name the document came from
  std::string title;   // jargon headword, or "<file>#<index>"
  std::string text;    // normalized: LF line endings, common indentation removed, no trailing blank lines
};

// How a corpus file is cut into documents (detected from its content):
// - kJargonFile: the Jargon File 4.x as plain text; one document per lexicon entry (":headword: ...").
// - kFortune: a fortune(6) cookie file; one document per '%'-separated cookie.
// - kPlain: the whole file is one document.
enum class CorpusFormat { kJargonFile, kFortune, kPlain };

CorpusFormat detect_corpus_format(const std::string& content);

// Splits one file's content into documents. Empty documents are dropped.
std::vector<Document> split_documents(const std::string& content, const std::string& source);

// Reads and splits every file, in the given order. @throws InputError naming a file that cannot be
// read, is empty, or contains the reserved text "<|endoftext|>".
std::vector<Document> load_corpus(const std::vector<std::string>& paths);

struct CorpusSplit {
  std::vector<Document> train;
  std::vector<Document> heldout;
  std::vector<Document> dropped;  // held-out candidates that overlap the calibration text: in neither split
};

// A document goes to held-out when FNV-1a(text) mod 1000 < heldout_permille, otherwise to train. A
// held-out candidate that overlaps `calibration_text` (a line of ≥ 40 characters appears verbatim in
// both) is dropped instead, so held-out is disjoint from calibration while the training split (and so
// the trained weights) does not depend on the calibration text. Order is preserved.
CorpusSplit split_corpus(const std::vector<Document>& documents, int heldout_permille,
                         const std::string& calibration_text = {});

// Documents joined with blank lines (the heldout.txt format).
std::string join_documents(const std::vector<Document>& documents);

}  // namespace kvt::train
