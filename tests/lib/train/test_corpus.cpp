// Corpus files → documents, and the deterministic document-level held-out split.
#include <catch2/catch.hpp>

#include <algorithm>

#include "lib/core/error.h"
#include "lib/core/output.h"
#include "lib/train/corpus.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

const char* const kJargon =
    "                                The Jargon File\n\n(version 4.4.7)\n\nGlossary\n\n   0\n\n   1TBS\n\n"
    "   :0:\n\n   Numeric zero, as opposed to the letter 'O'.\n\n"
    "   :1TBS: //, n.\n\n   The \"One True Brace Style\"; see {indent style}.\n   Second line.\n\n\n\n   More.\n\n"
    "   :2: infix.\n\n   In translation software written by hackers.\n"
    "   :3: x\n   :4: x\n   :5: x\n   :6: x\n   :7: x\n   :8: x\n   :9: x\n   :10: x\n"
    "Appendix A. Hacker Folklore\n\n   Not an entry.\n";

const char* const kFortunes = "First cookie.\n\t\t-- Someone\n%\nSecond\ncookie.\n%\n%\nThird.\n";

}  // namespace

TEST_CASE("the Jargon File splits into one document per lexicon entry", "[lib][train]") {
  CHECK(train::detect_corpus_format(kJargon) == train::CorpusFormat::kJargonFile);
  auto docs = train::split_documents(kJargon, "jargon.txt");
  REQUIRE(docs.size() == 11);
  CHECK(docs[0].title == "0");
  CHECK(docs[0].text == ":0:\n\nNumeric zero, as opposed to the letter 'O'.");
  CHECK(docs[1].title == "1TBS");
  // Indentation removed, runs of blank lines collapsed to one.
  CHECK(docs[1].text == ":1TBS: //, n.\n\nThe \"One True Brace Style\"; see {indent style}.\nSecond line.\n\nMore.");
  CHECK(docs[10].text == ":10: x");  // the unindented appendix heading ends the lexicon
}

TEST_CASE("fortune files split at % lines, other files are one document", "[lib][train]") {
  CHECK(train::detect_corpus_format(kFortunes) == train::CorpusFormat::kFortune);
  auto docs = train::split_documents(kFortunes, "f");
  REQUIRE(docs.size() == 3);
  CHECK(docs[0].text == "First cookie.\n\t\t-- Someone");
  CHECK(docs[1].text == "Second\ncookie.");
  CHECK(docs[2].text == "Third.");
  auto plain = train::split_documents("\n\n  Just text.\n  More.\n\n", "p");
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].text == "Just text.\nMore.");
}

TEST_CASE("the held-out split depends only on each document's text", "[lib][train]") {
  std::vector<train::Document> docs;
  for (int i = 0; i < 2000; ++i) docs.push_back({"s", std::to_string(i), "document number " + std::to_string(i)});
  auto split = train::split_corpus(docs, 50);
  CHECK(split.train.size() + split.heldout.size() == docs.size());
  // 5 % ± a generous margin for a hash-based draw.
  CHECK(split.heldout.size() > 60);
  CHECK(split.heldout.size() < 140);
  // Reversing the input selects the same held-out documents.
  std::vector<train::Document> reversed(docs.rbegin(), docs.rend());
  auto split_reversed = train::split_corpus(reversed, 50);
  std::vector<std::string> a, b;
  for (auto& d : split.heldout) a.push_back(d.text);
  for (auto& d : split_reversed.heldout) b.push_back(d.text);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  CHECK(train::split_corpus(docs, 0).heldout.empty());
  CHECK_THROWS_WITH(train::split_corpus(docs, 600), Catch::Contains("--heldout-permille"));
}

TEST_CASE("held-out documents overlapping the calibration text are dropped, train is unchanged", "[lib][train]") {
  std::vector<train::Document> docs;
  for (int i = 0; i < 400; ++i)
    docs.push_back({"s", std::to_string(i),
                    "A fairly long line of text that identifies document " + std::to_string(i) + ".\nshort"});
  auto plain = train::split_corpus(docs, 100);
  REQUIRE(plain.heldout.size() >= 2);
  std::string calibration = "unrelated\n  " + plain.heldout[0].text + "\nshort\n";  // shares a long line
  auto with_calibration = train::split_corpus(docs, 100, calibration);
  CHECK(with_calibration.heldout.size() == plain.heldout.size() - 1);
  REQUIRE(with_calibration.dropped.size() == 1);
  CHECK(with_calibration.dropped[0].text == plain.heldout[0].text);
  CHECK(with_calibration.train.size() == plain.train.size());
}

TEST_CASE("corpus files that are missing, empty or contain the special token are rejected", "[lib][train]") {
  std::string dir = test::fresh_test_dir("train_corpus_errors");
  CHECK_THROWS_AS(train::load_corpus({dir + "/missing.txt"}), InputError);
  write_file_atomic(dir + "/empty.txt", "\n\n", true);
  CHECK_THROWS_WITH(train::load_corpus({dir + "/empty.txt"}), Catch::Contains("empty.txt"));
  write_file_atomic(dir + "/special.txt", "text <|endoftext|> more", true);
  CHECK_THROWS_WITH(train::load_corpus({dir + "/special.txt"}), Catch::Contains("<|endoftext|>"));
}
