// The one report formatter (lib/report/format.h): printf conversions with the stated NaN and negative-zero
// rules, on hand-written cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/report/format.h"

using namespace kvt::report;

TEST_CASE("format: printf digits, NaN as n/a, no sign on a rounded zero", "[lib][report]") {
  CHECK(format_fixed(3.14159, 2) == "3.14");
  CHECK(format_fixed(-2.5, 1) == "-2.5");
  CHECK(format_fixed(-0.0001, 3) == "0.000");  // rounds to zero: no sign
  CHECK(format_fixed(-0.0, 0) == "0");
  CHECK(format_fixed(std::nan(""), 4) == "n/a");
  CHECK(format_fixed(std::numeric_limits<double>::infinity(), 2) == "inf");
  CHECK(format_fixed(-std::numeric_limits<double>::infinity(), 2) == "-inf");
  CHECK(format_significant(0.000123456, 3) == "0.000123");
  CHECK(format_significant(-0.0, 4) == "0");
  CHECK(format_significant(std::nan(""), 4) == "n/a");
  CHECK(format_scientific(1234.5, 2) == "1.23e+03");
  CHECK(format_scientific(-1e-20, 1) == "-1.0e-20");  // a non-zero mantissa keeps its sign
  CHECK(format_scientific(-0.0, 2) == "0.00e+00");
}

TEST_CASE("xml_escape: the characters that break an element or attribute", "[lib][report]") {
  CHECK(xml_escape("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;");
  CHECK(xml_escape("plain 'text'") == "plain 'text'");
}
