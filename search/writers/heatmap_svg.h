// Sensitivity heatmap: e_o per layer (rows) × candidate pair (columns), log colour scale. Used by the search
// report and by the profiler.
#pragma once
#include <string>

#include "lib/core/sensitivity_table.h"

namespace kvt::search {

// A self-contained SVG document. Colour: log10(e_o) between the table's smallest positive and largest value
// (zeros take the lowest colour); values are printed in the cells when rows are tall enough.
// @throws InputError when the table does not validate.
std::string sensitivity_heatmap_svg(const SensitivityTable& table);

}  // namespace kvt::search
