// A sensitivity table belongs to one model and one quantization scheme. Commands that consume a table
// against a model call this before using it (`search --objective e2e-kl --model`). No LibTorch needed.
#pragma once
#include <string>

#include "lib/core/sensitivity_table.h"
#include "lib/quant/quant_spec.h"

namespace kvt::profile {

// @throws InputError naming `source` when the table's model_hash differs from `model_hash`, or its scheme
// (name and key/value parameters) differs from `scheme`.
void check_table_compatible(const SensitivityTable& table, const std::string& model_hash,
                            const quant::QuantScheme& scheme, const std::string& source);

// The same with a registered scheme name (per-token-asym, kivi). @throws UnsupportedError for an unknown name.
void check_table_compatible(const SensitivityTable& table, const std::string& model_hash,
                            const std::string& scheme_name, const std::string& source);

// A table read for `search`: a recorded scheme must be a registered one (or custom), and recorded key/value
// parameters must be that scheme's definition (a kivi table whose scheme_params say per-token is refused), so the
// search never copies a scheme nobody can run into its configs. A table without a scheme (synthetic) passes.
// @throws InputError 408 naming `source`.
void check_table_scheme(const SensitivityTable& table, const std::string& source);

// The table's scheme rebuilt from its recorded name and parameters. @throws InputError naming `source`.
quant::QuantScheme table_scheme(const SensitivityTable& table, const std::string& source);

}  // namespace kvt::profile
