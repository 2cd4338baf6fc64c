#include "calibration/profiler/table_compat.h"

#include "lib/core/error.h"
#include "lib/quant/scheme_registry.h"

namespace kvt::profile {

quant::QuantScheme table_scheme(const SensitivityTable& table, const std::string& source) {
  if (table.scheme.empty()) throw InputError(source + ": the table records no scheme", 425);
  return quant::scheme_from_params(table.scheme, table.scheme_params, source);
}

void check_table_scheme(const SensitivityTable& table, const std::string& source) {
  if (table.scheme.empty()) return;
  const bool has_params =
      table.scheme_params.is_object() && (table.scheme_params.contains("key") || table.scheme_params.contains("value"));
  if (has_params || table.scheme == "custom") {
    quant::scheme_from_params(table.scheme, table.scheme_params, source);
    return;
  }
  try {
    quant::lookup_scheme(table.scheme);
  } catch (const UnsupportedError& e) {
    const std::string what = e.what();
    throw InputError(source + ": scheme: " + what.substr(what.find("] ") + 2), 408);
  }
}

void check_table_compatible(const SensitivityTable& table, const std::string& model_hash,
                            const quant::QuantScheme& scheme, const std::string& source) {
  if (table.model_hash != model_hash)
    throw InputError(source + ": made for model '" + table.model_name + "' (hash " + table.model_hash +
                         "), not for this model (hash " + model_hash + "); profile this model again",
                     426);
  quant::QuantScheme recorded = table_scheme(table, source);
  if (recorded.name != scheme.name || recorded.key != scheme.key || recorded.value != scheme.value)
    throw InputError(source + ": made with scheme '" + recorded.name + "' " +
                         quant::scheme_params_json(recorded).dump() + ", not '" + scheme.name + "' " +
                         quant::scheme_params_json(scheme).dump() + "; profile again with --scheme " + scheme.name,
                     427);
}

void check_table_compatible(const SensitivityTable& table, const std::string& model_hash,
                            const std::string& scheme_name, const std::string& source) {
  check_table_compatible(table, model_hash, quant::lookup_scheme(scheme_name), source);
}

}  // namespace kvt::profile
