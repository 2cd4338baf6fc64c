// Budget selection and the official preset naming.
#include <catch2/catch.hpp>

#include "search/selection.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

TEST_CASE("Scheme tags and file stems follow the official presets", "[search]") {
  CHECK(scheme_tag("per-token-asym") == "pertoken");
  CHECK(scheme_tag("kivi") == "kivi");
  CHECK(scheme_tag("Per Channel!") == "perchannel");
  CHECK(scheme_tag("") == "custom");
  CHECK(file_stem("Llama-3.1-8B-Instruct") == "Llama-3.1-8B-Instruct");
  CHECK(file_stem("a/b c") == "a_b_c");
  CHECK(file_stem("") == "model");
  CHECK(file_stem("..") == "model");
  CHECK(format_budget(4) == "4");
  CHECK(format_budget(4.5) == "4.5");
}

TEST_CASE("Each budget gets its lowest-error configs, then the knee", "[search]") {
  SensitivityTable t;
  t.model_name = "Qwen2.5-7B-Instruct";
  t.scheme = "kivi";
  ParetoFront front;
  std::vector<std::pair<double, double>> xy{{2, 10}, {3, 6}, {4, 4}, {5, 2}, {6, 1}};
  for (size_t i = 0; i < xy.size(); ++i) front.push_back({{static_cast<int>(i)}, {}, xy[i].first, xy[i].second});
  auto selected = select_configs(front, t, MemoryMeasure::Nominal, {4, 6, 1.5}, 2, "");
  REQUIRE(selected.size() == 5);  // 2 for budget 4, 2 for budget 6, none for 1.5, the knee
  CHECK(selected[0].file_name == "Qwen2.5-7B-Instruct_kivi_KVTuner4_0.yaml");
  CHECK(selected[0].point.memory == 4);
  CHECK(selected[1].file_name == "Qwen2.5-7B-Instruct_kivi_KVTuner4_1.yaml");
  CHECK(selected[1].point.memory == 3);
  CHECK(selected[2].point.memory == 6);
  CHECK(selected[3].point.memory == 5);
  CHECK(selected[4].role == "knee");
  CHECK(selected[4].file_name == "Qwen2.5-7B-Instruct_kivi_knee.yaml");

  auto names = possible_config_file_names(t, {4, 6, 1.5}, 2, "Other");
  CHECK(names.size() == 7);
  CHECK(names.front() == "Other_kivi_KVTuner4_0.yaml");
  CHECK(names.back() == "Other_kivi_knee.yaml");
}

TEST_CASE("Byte budgets convert bits with the table's element count", "[search]") {
  SensitivityTable t = test::synthetic_table(4, 1);  // 2·8·128 = 2048 elements per token per layer
  CHECK(budget_in_measure(t, 4, MemoryMeasure::Bytes) == Approx(4.0 * 2048 * 4 / 8));
  CHECK(budget_in_measure(t, 4, MemoryMeasure::Effective) == 4);
}
