// kvtuner-search profile --model DIR [--calib PATH | --ids FILE] [--scheme kivi|per-token-asym] [--bits ..|--pairs ..]
//   [--prefill fp|quantized] [--prompt-len half|N] [--dtype ..] [--device ..] --out FILE [--force]
// One full-precision forward over the calibration prompts → per-layer sensitivity of every candidate pair.
// Writes FILE (JSON, the search's input), its .csv and .svg (heatmap) siblings, and prints a summary.
#include <cstdio>
#include <memory>
#include <optional>

#include "apps/kvtuner-search/calib_options.h"
#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/compute_options.h"
#include "apps/kvtuner-search/proxy_options.h"
#include "calibration/profiler/profiler.h"
#include "calibration/profiler/summary.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/eval/logit_metrics.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "lib/tokenizer/tokenizer.h"
#include "search/writers/heatmap_svg.h"

namespace kvt::app {

namespace {

struct ProfileCommand {
  std::string model_dir, out;
  SchemeSetting scheme;
  PairsSetting pairs;
  PrefillSetting prefill;
  PromptLengthSetting prompt_length;
  ForwardSetting forward;
  calib::CalibOptions calib;
  std::vector<int> bits;
  profile::ProfileOptions measures;  // --proxy, --proxy-budget, --kl-tokens, --seed
  bool force = false;
};

// FILE.json → FILE.csv / FILE.svg; other names get the extension appended.
std::string sibling(const std::string& path, const std::string& ext) {
  const std::string json = ".json";
  if (path.size() > json.size() && path.compare(path.size() - json.size(), json.size(), json) == 0)
    return path.substr(0, path.size() - json.size()) + ext;
  return path + ext;
}

void run_profile(const ProfileCommand& cmd) {
  // Validate everything cheap before the forward.
  profile::ProfileOptions options = cmd.measures;
  options.scheme = cmd.scheme.value.value_or(quant::lookup_scheme(quant::kDefaultSchemeName));
  if (!cmd.bits.empty()) options.pairs = pairs_from_bits(cmd.bits);
  if (cmd.pairs.value) options.pairs = *cmd.pairs.value;
  options.prefill = cmd.prefill.value.value_or(quant::PrefillMode::FullPrecision);
  options.prompt_length = cmd.prompt_length.value;  // same syntax as evaluate
  options.forward = cmd.forward.value;
  const std::string csv_path = sibling(cmd.out, ".csv"), svg_path = sibling(cmd.out, ".svg");
  for (const auto& path : {cmd.out, csv_path, svg_path}) check_overwrite(path, cmd.force);
  calib::validate(cmd.calib);
  model::Model model = model::Model::open(cmd.model_dir);
  std::optional<tok::Tokenizer> tokenizer;  // text input only: --ids needs no tokenizer
  if (cmd.calib.ids_path.empty()) tokenizer.emplace(tok::Tokenizer::load(model.directory()));
  calib::CalibrationSet set = calib::load_prompts(cmd.calib, tokenizer ? &*tokenizer : nullptr,
                                                  model.config().max_position_embeddings, model.config().vocab_size);
  profile::validate_profile_options(model.config(), set.prompts, options);
  log_info("profile: " + std::to_string(set.prompts.size()) + " calibration prompts from " + set.source);

  SensitivityTable table = profile::profile_model(model, set.prompts, set.hash, options);
  write_file_atomic(cmd.out, to_json(table).dump(2) + "\n", cmd.force);
  write_file_atomic(csv_path, to_csv(table), cmd.force);
  write_file_atomic(svg_path, search::sensitivity_heatmap_svg(table), cmd.force);
  std::fputs(profile::sensitivity_summary(table).c_str(), stdout);
  log_info("wrote " + cmd.out + ", " + csv_path + ", " + svg_path);
}

}  // namespace

void register_profile(CLI::App& app) {
  auto cmd = std::make_shared<ProfileCommand>();
  auto* sub = app.add_subcommand("profile",
                                 "Measure each layer's sensitivity (attention-output error e_o, layer KL, Fisher "
                                 "estimate) for every (key, value) bit pair");
  sub->add_option("--model", cmd->model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  add_calib_options(sub, cmd->calib);
  add_scheme_option(sub, cmd->scheme, "Quantization scheme: kivi or per-token-asym", quant::kDefaultSchemeName);
  auto* bits = sub->add_option("--bits", cmd->bits, "Candidate widths; every (key, value) pair of them, e.g. 2,3,4,8")
                   ->delimiter(',');
  add_pairs_option(sub, cmd->pairs, "Explicit candidate pairs, e.g. KV8,K8V4,KV4 (default: all of {2,4,8}²)")
      ->excludes(bits);
  add_prefill_option(sub, cmd->prefill,
                     "Prompt attention with full-precision K/V (fp) or the quantized cache (quantized)", "fp");
  add_prompt_length_option(
      sub, cmd->prompt_length,
      "Leading tokens of each prompt processed as its prefill: 'half' or a token count; the rest are decode "
      "steps, whose queries are measured (all queries with --prefill quantized)");
  add_forward_options(sub, cmd->forward);
  sub->add_option("--proxy", cmd->measures.proxy,
                  "Layer error the search will use: auto (kl when it fits --proxy-budget, else fisher), eo (the "
                  "paper's attention-output error only), kl (measured layer KL), fisher (diagonal-Fisher estimate)")
      ->capture_default_str();
  add_proxy_measure_options(sub, cmd->measures);
  sub->add_option("--seed", cmd->measures.seed, "Seed of the Fisher estimate's label draws")->capture_default_str();
  sub->add_option("--out", cmd->out, "Sensitivity table (JSON); .csv and .svg siblings are written beside it")
      ->required();
  sub->add_flag("--force", cmd->force, "Overwrite existing outputs");
  sub->callback([cmd] { run_profile(*cmd); });
}

}  // namespace kvt::app
