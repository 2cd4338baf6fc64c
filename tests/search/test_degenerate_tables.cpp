// Tables whose errors are all equal, denormal (5e-324) or huge: the search and its plots never crash (issue 14,
// a SIGSEGV on .back() of an empty tick list), and the axes stay finite.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "lib/report/svg.h"
#include "search/search_outputs.h"
#include "search/writers/pareto_svg.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;
using kvt::report::nice_ticks;

TEST_CASE("nice_ticks is never empty and never loops long, whatever the range", "[search]") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const double cases[][2] = {{0, 1},   {0, 5e-324}, {0, 1e-323},     {0, 1e308 * 1.05}, {0, inf}, {0, nan},
                             {nan, 1}, {-inf, inf}, {-1e308, 1e308}, {1e17, 1e17 + 64}, {3, 3},   {2, 1}};
  for (const auto& c : cases) {
    CAPTURE(c[0], c[1]);
    const std::vector<double> ticks = nice_ticks(c[0], c[1], 6);
    REQUIRE(!ticks.empty());
    CHECK(ticks.size() <= 16);
    for (double t : ticks) CHECK(std::isfinite(t));
  }
  CHECK(nice_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
}

TEST_CASE("search fault: a table whose errors are all 5e-324 or all equal plots without crashing", "[search]") {
  for (double value : {5e-324, 1e300, 0.0}) {
    CAPTURE(value);
    SensitivityTable t = test::synthetic_table(6, 3);
    for (auto& row : t.e_o)
      for (auto& v : row) v = value;
    SearchOptions o;
    o.nsga2.population = 8;
    o.nsga2.generations = 2;
    SearchResult r = run_search(t, o);
    const std::string svg = pareto_front_svg(r);
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
  }
}
