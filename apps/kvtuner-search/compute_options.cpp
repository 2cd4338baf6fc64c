#include "apps/kvtuner-search/compute_options.h"

#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"

namespace kvt::app {

CLI::Option* add_scheme_option(CLI::App* cmd, SchemeSetting& s, const std::string& help,
                               const std::string& shown_default) {
  return add_parsed_option(
      cmd, "--scheme", s.text, [&s](const std::string& t) { s.value = quant::lookup_scheme(t); }, help, shown_default);
}

CLI::Option* add_prefill_option(CLI::App* cmd, PrefillSetting& s, const std::string& help,
                                const std::string& shown_default) {
  return add_parsed_option(
      cmd, "--prefill", s.text, [&s](const std::string& t) { s.value = quant::parse_prefill_mode(t); }, help,
      shown_default);
}

CLI::Option* add_prompt_length_option(CLI::App* cmd, PromptLengthSetting& s, const std::string& help) {
  return add_parsed_option(
      cmd, "--prompt-len", s.text, [&s](const std::string& t) { s.value = quant::parse_prompt_length(t); }, help,
      s.text);
}

void add_forward_options(CLI::App* cmd, ForwardSetting& s, const std::string& purpose) {
  add_parsed_option(
      cmd, "--dtype", s.dtype, [&s](const std::string& t) { s.value.dtype = model::parse_dtype(t); },
      purpose + "Compute dtype of the forward: float32, bfloat16, float16", s.dtype);
  add_parsed_option(
      cmd, "--device", s.device, [&s](const std::string& t) { s.value.device = model::parse_device(t); },
      purpose + "cpu, cuda or cuda:N", s.device);
}

CLI::Option* add_pairs_option(CLI::App* cmd, PairsSetting& s, const std::string& help) {
  return add_parsed_option(
      cmd, "--pairs", s.text, [&s](const std::string& t) { s.value = parse_pair_list(t); }, help, "");
}

}  // namespace kvt::app
