// MarkdownTable against hand-written GitHub pipe tables.
#include "lib/report/markdown.h"

#include <catch2/catch.hpp>
#include <stdexcept>

using kvt::report::MarkdownTable;

TEST_CASE("MarkdownTable: header, separator, rows, empty cells, escaped pipes and line breaks", "[report]") {
  MarkdownTable t({"config", "bits", ""});
  t.row({"K8V4", "6.0", ""}).row({"a|b", "x\ny", "z"});
  CHECK(t.rows() == 2);
  CHECK(t.str() ==
        "| config | bits | |\n"
        "| --- | --- | --- |\n"
        "| K8V4 | 6.0 | |\n"
        "| a\\|b | x y | z |\n");
}

TEST_CASE("MarkdownTable: a row of the wrong width is a writer's bug, reported at once", "[report]") {
  MarkdownTable t({"a", "b"});
  CHECK_THROWS_AS(t.row({"1"}), std::logic_error);
  CHECK_THROWS_AS(MarkdownTable({}), std::logic_error);
  CHECK(MarkdownTable({"only"}).str() == "| only |\n| --- |\n");
}
