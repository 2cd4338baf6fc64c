#include "apps/kvtuner-search/eval_inputs.h"

#include "apps/kvtuner-search/compute_threads.h"

#include <algorithm>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/generation_check.h"
#include "lib/quant/scheme_registry.h"
#include "lib/tokenizer/tokenizer.h"

namespace fs = std::filesystem;

namespace kvt::app {

namespace {

// A former spelling of an option: hidden from --help, sets the same value, warns once per use.
template <class T>
void add_deprecated_alias(CLI::App* cmd, const std::string& old_name, CLI::Option* canonical, T& target) {
  const std::string new_name = canonical->get_name();
  CLI::Option* alias = cmd->add_option(old_name, target, "deprecated: use " + new_name)
                           ->group("")
                           ->each([old_name, new_name](const std::string&) {
                             log_warning(old_name +
                                         " is deprecated (the held-out options are named alike in "
                                         "evaluate and run); use " +
                                         new_name);
                           });
  // The alias excludes what its canonical option excludes, and the canonical option itself.
  alias->excludes(canonical);
  for (CLI::Option* other : canonical->get_excludes())
    if (other != alias) alias->excludes(other);
}

}  // namespace

void add_heldout_options(CLI::App* cmd, HeldoutOptions& options, bool deprecated_aliases) {
  calib::CalibOptions& s = options.selection;
  auto* data = cmd->add_option("--heldout", s.calib_path,
                               "Held-out text: .txt (documents separated by blank lines), .jsonl, or a directory of "
                               ".txt files; one document = one sequence (default: the model directory's heldout.txt, "
                               "read as one token stream in --heldout-max-tokens windows)");
  auto* ids =
      cmd->add_option("--heldout-ids", s.ids_path, "Held-out sequences as token ids: .jsonl, one JSON array per line");
  data->excludes(ids);
  auto* field =
      cmd->add_option("--heldout-field", s.field, "The .jsonl field holding the held-out text")->capture_default_str();
  auto* count = cmd->add_option("--heldout-sequences", s.num_prompts,
                                "Held-out sequences used, in file order (0 = all); run splits them: even ones "
                                "validate, odd ones test")
                    ->capture_default_str();
  auto* max_tokens = cmd->add_option("--heldout-max-tokens", s.max_tokens,
                                     "Truncate each held-out sequence to this many tokens; the window length for the "
                                     "model's heldout.txt (0 = the model's context)")
                         ->capture_default_str();
  auto* min_tokens =
      cmd->add_option("--heldout-min-tokens", s.min_tokens, "Drop held-out sequences shorter than this many tokens")
          ->capture_default_str();
  if (!deprecated_aliases) return;
  add_deprecated_alias(cmd, "--data", data, s.calib_path);
  add_deprecated_alias(cmd, "--ids", ids, s.ids_path);
  add_deprecated_alias(cmd, "--data-field", field, s.field);
  add_deprecated_alias(cmd, "--num-sequences", count, s.num_prompts);
  add_deprecated_alias(cmd, "--max-tokens", max_tokens, s.max_tokens);
  add_deprecated_alias(cmd, "--min-tokens", min_tokens, s.min_tokens);
}

namespace {

// The model directory's heldout.txt as the trainer measures held-out loss: one token stream (the whole text,
// BOS first) in consecutive windows of --heldout-max-tokens tokens (the context when 0 or larger); a last window
// shorter than --heldout-min-tokens is left out. kvtuner-train writes each held-out document with its paragraph breaks,
// so its blank lines separate paragraphs (headword lines, one-line senses), not documents: read as one sequence per
// block, most blocks would be dropped as too short.
calib::CalibrationSet load_heldout_stream(const std::string& path, const tok::Tokenizer& tokenizer,
                                          const calib::CalibOptions& selection, int64_t context) {
  std::string text = read_file(path);
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  std::vector<int64_t> stream;
  try {
    stream = tokenizer.encode(text, true);
  } catch (const Error& e) {
    throw InputError(path + ": " + e.what(), calib::kErrCalibText);
  }
  const int64_t window = selection.max_tokens > 0 && selection.max_tokens < context ? selection.max_tokens : context;
  calib::CalibrationSet set;
  set.source = path;
  set.documents = 1;
  for (size_t begin = 0; begin < stream.size(); begin += size_t(window)) {
    if (selection.num_prompts > 0 && int64_t(set.prompts.size()) >= selection.num_prompts) break;
    size_t end = std::min(stream.size(), begin + size_t(window));
    if (int64_t(end - begin) < selection.min_tokens) break;  // only the last window can be short
    set.prompts.emplace_back(stream.begin() + long(begin), stream.begin() + long(end));
  }
  if (set.prompts.empty())
    throw InputError(path + ": the held-out text has " + std::to_string(stream.size()) +
                         " tokens, fewer than --heldout-min-tokens " + std::to_string(selection.min_tokens),
                     calib::kErrCalibEmpty);
  set.hash = calib::content_hash(set.prompts);
  log_info(path + ": " + std::to_string(set.prompts.size()) + " held-out sequences of up to " + std::to_string(window) +
           " tokens from one " + std::to_string(stream.size()) + "-token stream");
  return set;
}

}  // namespace

calib::CalibrationSet load_heldout(const HeldoutOptions& options, const model::Model& model) {
  calib::CalibOptions selection = options.selection;
  calib::validate(selection);
  const int64_t context = model.config().max_position_embeddings, vocab = model.config().vocab_size;
  if (!selection.ids_path.empty()) return calib::load_token_ids(selection.ids_path, selection, context, vocab);
  if (!selection.calib_path.empty()) {
    tok::Tokenizer tokenizer = tok::Tokenizer::load(model.directory());
    return calib::load_calibration(selection.calib_path, tokenizer, selection, context);
  }
  // Never fall back to the calibration set: held-out data must be disjoint from it.
  const fs::path heldout = fs::path(model.directory()) / "heldout.txt";
  if (!fs::exists(heldout))
    throw InputError("no held-out data: pass --heldout or --heldout-ids (the model directory " + model.directory() +
                         " has no heldout.txt)",
                     977);
  tok::Tokenizer tokenizer = tok::Tokenizer::load(model.directory());
  return load_heldout_stream(heldout.string(), tokenizer, selection, context);
}

void add_eval_settings(CLI::App* cmd, EvalSettings& s) {
  add_scheme_option(cmd, s.scheme,
                    "Quantization scheme: kivi or per-token-asym (default: the configs' recorded scheme, else kivi)",
                    "");
  add_prefill_option(cmd, s.prefill,
                     "Prompt attention with full-precision K/V (fp) or the quantized cache (quantized) (default: the "
                     "configs' recorded mode, else fp)",
                     "");
  add_prompt_length_option(cmd, s.prompt_length,
                           "Leading tokens of each sequence processed as its prompt (prefill): 'half' or a token "
                           "count; the rest are decode steps and are scored");
  add_parsed_option(
      cmd, "--baselines", s.baselines_text, [&s](const std::string& t) { s.baselines = parse_pair_list(t); },
      "Uniform configs always evaluated beside the given ones", s.baselines_text);
  cmd->add_option("--gen-tokens", s.gen_tokens, "Greedy tokens generated per prompt in the generation check (0 = skip)")
      ->capture_default_str();
  cmd->add_option("--gen-prompts", s.gen_prompts, "Held-out prompts in the generation check")->capture_default_str();
  cmd->add_option("--batch-tokens", s.batch_tokens, "Tokens per forward batch (bounds the memory of reference logits)")
      ->capture_default_str();
  add_parsed_option(
      cmd, "--plot", s.plot_text, [&s](const std::string& t) { s.plot = eval::parse_plot_metric(t); },
      "Plot KL (kl) or Δperplexity (ppl) against effective bits", s.plot_text);
  add_forward_options(cmd, s.forward);
}

void validate_eval_settings(const EvalSettings& s) {
  if (s.gen_tokens < 0) throw InputError("--gen-tokens must be >= 0, got " + std::to_string(s.gen_tokens), 979);
  if (s.gen_tokens > 0 && s.gen_prompts < 1)
    throw InputError("--gen-prompts must be >= 1, got " + std::to_string(s.gen_prompts), 979);
  if (s.batch_tokens < 1) throw InputError("--batch-tokens must be >= 1, got " + std::to_string(s.batch_tokens), 979);
}

namespace {

// The value of metadata[key] shared by every config that records it; "" when none does. @throws InputError
// naming the option to pass when they disagree.
std::string common_metadata(const std::vector<eval::EvalConfig>& configs, const std::string& key,
                            const std::string& option) {
  std::string value, first_source;
  for (const auto& c : configs) {
    if (!c.config.metadata.contains(key) || !c.config.metadata[key].is_string()) continue;
    const std::string v = c.config.metadata[key].get<std::string>();
    if (value.empty()) {
      value = v;
      first_source = c.source;
    } else if (v != value) {
      throw InputError(c.source + " records " + key + " '" + v + "' but " + first_source + " records '" + value +
                           "': pass " + option + " to evaluate them under one setting",
                       978);
    }
  }
  return value;
}

}  // namespace

eval::EvalOptions resolve_eval_options(const EvalSettings& s, const std::vector<eval::EvalConfig>& configs) {
  eval::EvalOptions o;
  const std::string recorded_scheme = common_metadata(configs, "scheme", "--scheme");
  const std::string recorded_prefill = common_metadata(configs, "prefill_mode", "--prefill");
  if (s.scheme.value && !recorded_scheme.empty() && s.scheme.value->name != recorded_scheme)
    log_warning("--scheme " + s.scheme.text + " overrides the scheme the configs were searched with (" +
                recorded_scheme + ")");
  o.scheme = s.scheme.value
                 ? *s.scheme.value
                 : quant::lookup_scheme(!recorded_scheme.empty() ? recorded_scheme : quant::kDefaultSchemeName);
  if (s.prefill.value) {
    o.prefill = *s.prefill.value;
    if (!recorded_prefill.empty() && quant::parse_prefill_mode(recorded_prefill) != o.prefill)
      log_warning("--prefill " + s.prefill.text + " overrides the mode the configs were profiled with (" +
                  recorded_prefill + ")");
  } else {
    o.prefill =
        recorded_prefill.empty() ? quant::PrefillMode::FullPrecision : quant::parse_prefill_mode(recorded_prefill);
  }
  o.prompt_length = s.prompt_length.value;
  o.forward = s.forward.value;
  o.batch_tokens = s.batch_tokens;
  return o;
}

std::vector<eval::EvalConfig> baseline_configs(const std::vector<PrecisionPair>& pairs, int layers) {
  std::vector<eval::EvalConfig> out;
  for (const auto& pair : pairs) out.push_back({pair.name(), "baseline", "", eval::uniform_config(pair, layers)});
  return out;
}

eval::EvaluationReport evaluate_with_baselines(const model::Model& model,
                                               const std::vector<std::vector<int64_t>>& sequences,
                                               const std::vector<eval::EvalConfig>& configs,
                                               const EvalSettings& settings, const eval::EvalOptions& options,
                                               nlohmann::ordered_json context) {
  std::vector<eval::EvalConfig> all = baseline_configs(settings.baselines, model.config().num_layers);
  for (const auto& c : configs) {
    for (const auto& b : all)
      if (b.name == c.name)
        throw InputError((c.source.empty() ? c.name : c.source) + ": config name '" + c.name +
                             "' is used twice (a baseline or another config); rename the file",
                         978);
    all.push_back(c);
  }
  context["scheme"] = options.scheme.name;
  context["scheme_params"] = quant::scheme_params_json(options.scheme).dump();
  context["prefill"] = quant::prefill_mode_name(options.prefill);
  context["prompt_length"] =
      options.prompt_length.describe() + " (prefill; the remaining tokens are decode steps and are scored)";
  context["compute_dtype"] = settings.forward.dtype;
  context["compute_threads"] = std::to_string(compute_threads());  // --threads: the bytes repeat for this count

  eval::EvaluationReport report;
  report.result = eval::evaluate_configs(model, sequences, all, options);
  if (settings.gen_tokens > 0) {
    auto prompts = eval::generation_prompts(sequences, options.prompt_length, settings.gen_prompts);
    context["generation"] = std::to_string(prompts.size()) + " prompts of " + std::to_string(prompts[0].size()) +
                            " tokens, " + std::to_string(settings.gen_tokens) + " greedy tokens each";
    report.generation = eval::check_generation(model, prompts, all, options, settings.gen_tokens);
  }
  report.context = context;
  return report;
}

std::vector<std::string> evaluation_files(const std::string& dir) {
  return {(fs::path(dir) / "evaluation.md").string(), (fs::path(dir) / "evaluation.json").string(),
          (fs::path(dir) / "evaluation.svg").string()};
}

void write_evaluation(const eval::EvaluationReport& report, const std::string& dir, eval::PlotMetric plot, bool force,
                      const std::string& title) {
  ensure_directory(dir);
  const auto files = evaluation_files(dir);
  write_file_atomic(files[0], eval::evaluation_markdown(report, title), force);
  write_file_atomic(files[1], eval::evaluation_json(report).dump(2) + "\n", force);
  write_file_atomic(files[2], eval::evaluation_svg(report, plot), force);
}

}  // namespace kvt::app
