// The settings of every command that runs the model, registered here and parsed once: CLI11 hands each option's
// text to its parser while it parses the command line, so a bad value stops the command before any file is read
// (one line, exit 2, naming the option), and the commands read typed values, never the text again.
//   --scheme      quant::lookup_scheme        (profile, evaluate, run)
//   --prefill     quant::parse_prefill_mode   (profile, evaluate, run)
//   --prompt-len  quant::parse_prompt_length  (profile, evaluate, run)
//   --dtype       model::parse_dtype          (profile, evaluate, run, search, perplexity)
//   --device      model::parse_device         (profile, evaluate, run, search, perplexity)
//   --pairs       parse_pair_list             (profile, run)
// Each setting keeps the text it was given (or its default) for the manifests and reports that record it.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/model/forward.h"
#include "lib/quant/prompt_length.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::app {

// --scheme NAME. Not given: value is empty (profile then uses quant::kDefaultSchemeName; evaluate and run take
// the configs' recorded scheme).
struct SchemeSetting {
  std::string text;
  std::optional<quant::QuantScheme> value;
};
// --prefill fp|quantized. Not given: value is empty (full precision, or the configs' recorded mode).
struct PrefillSetting {
  std::string text;
  std::optional<quant::PrefillMode> value;
};
// --prompt-len half|N.
struct PromptLengthSetting {
  std::string text = "half";
  quant::PromptLength value = quant::parse_prompt_length("half");
};
// --dtype and --device → the forward's options.
struct ForwardSetting {
  std::string dtype = "float32", device = "cpu";
  model::ForwardOptions value;  // float32 on the CPU, the defaults above
};
// --pairs LIST. Given at all, even as "" (input.103), value holds the parsed list; not given, it is empty.
struct PairsSetting {
  std::string text;
  std::optional<std::vector<PrecisionPair>> value;
};

// An option whose text is parsed by `on_text` as CLI11 reads it, into a typed value the caller's lambda stores.
// `text` receives the given text; parse errors are kvt::InputError naming the option (main() prints them as one
// line, exit 2). `shown_default` is what --help prints as the default ("" for none).
template <class OnText>
CLI::Option* add_parsed_option(CLI::App* cmd, const std::string& name, std::string& text, OnText on_text,
                               const std::string& help, const std::string& shown_default) {
  CLI::Option* option = cmd->add_option_function<std::string>(
      name,
      [&text, on_text](const std::string& given) {
        text = given;
        on_text(given);
      },
      help);
  if (!shown_default.empty()) option->default_str(shown_default);
  return option;
}

// `help` describes the option; `shown_default` is what --help prints as its default ("" for none).
CLI::Option* add_scheme_option(CLI::App* cmd, SchemeSetting& s, const std::string& help,
                               const std::string& shown_default);
CLI::Option* add_prefill_option(CLI::App* cmd, PrefillSetting& s, const std::string& help,
                                const std::string& shown_default);
CLI::Option* add_prompt_length_option(CLI::App* cmd, PromptLengthSetting& s, const std::string& help);
// Adds --dtype and --device; `purpose` prefixes their help (e.g. "--objective e2e-kl: ").
void add_forward_options(CLI::App* cmd, ForwardSetting& s, const std::string& purpose = "");
CLI::Option* add_pairs_option(CLI::App* cmd, PairsSetting& s, const std::string& help);

}  // namespace kvt::app
