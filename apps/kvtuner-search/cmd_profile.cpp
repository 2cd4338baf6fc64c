// kvtuner-search profile --model DIR --ids FILE [--scheme kivi|per-token-asym] [--bits ..|--pairs ..]
//   [--prefill fp|quantized] [--prefill-len N] [--dtype ..] [--device ..] --out FILE [--force]
// One full-precision forward over the calibration prompts → per-layer sensitivity of every candidate pair.
// Writes FILE (JSON, the search's input), its .csv and .svg (heatmap) siblings, and prints a summary.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/kvtuner-search/commands.h"
#include "calibration/profiler/profiler.h"
#include "calibration/profiler/summary.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "search/writers/heatmap_svg.h"

namespace kvt::app {

namespace {

struct ProfileCommand {
  std::string model_dir, ids_path, scheme = "kivi", pairs, prefill = "fp", dtype = "float32", device = "cpu", out;
  std::vector<int> bits;
  int64_t prefill_len = 0;
  bool force = false;
};

// .jsonl: one JSON array of token ids per non-empty line.
std::vector<std::vector<int64_t>> read_token_ids(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the token-id file", 430);
  std::vector<std::vector<int64_t>> prompts;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw InputError(where + ": not valid JSON (expected an array of token ids)", 431);
    }
    if (!j.is_array() || j.empty()) throw InputError(where + ": expected a non-empty JSON array of token ids", 431);
    std::vector<int64_t> ids;
    for (const auto& id : j) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0)
        throw InputError(where + ": token id " + id.dump() + " is not a non-negative integer", 431);
      ids.push_back(id.get<int64_t>());
    }
    prompts.push_back(std::move(ids));
  }
  if (prompts.empty()) throw InputError(path + ": holds no prompts", 432);
  return prompts;
}

// FNV-1a over (length, ids...) of every prompt as little-endian int64.
std::string token_ids_hash(const std::vector<std::vector<int64_t>>& prompts) {
  Fnv1a64 h;
  for (const auto& p : prompts) {
    int64_t n = int64_t(p.size());
    h.update(&n, sizeof n);
    h.update(p.data(), p.size() * sizeof(int64_t));
  }
  return h.hex();
}

// FILE.json → FILE.csv / FILE.svg; other names get the extension appended.
std::string sibling(const std::string& path, const std::string& ext) {
  const std::string json = ".json";
  if (path.size() > json.size() && path.compare(path.size() - json.size(), json.size(), json) == 0)
    return path.substr(0, path.size() - json.size()) + ext;
  return path + ext;
}

void run_profile(const ProfileCommand& cmd) {
  // Validate everything cheap before the forward.
  profile::ProfileOptions options;
  options.scheme = quant::lookup_scheme(cmd.scheme);
  if (!cmd.bits.empty()) options.pairs = pairs_from_bits(cmd.bits);
  if (!cmd.pairs.empty()) options.pairs = parse_pair_list(cmd.pairs);
  options.prefill = quant::parse_prefill_mode(cmd.prefill);
  options.prefill_tokens = cmd.prefill_len;
  options.forward.dtype = model::parse_dtype(cmd.dtype);
  options.forward.device = model::parse_device(cmd.device);
  const std::string csv_path = sibling(cmd.out, ".csv"), svg_path = sibling(cmd.out, ".svg");
  for (const auto& path : {cmd.out, csv_path, svg_path}) check_overwrite(path, cmd.force);
  auto prompts = read_token_ids(cmd.ids_path);
  model::Model model = model::Model::open(cmd.model_dir);
  profile::validate_profile_options(model.config(), prompts, options);

  SensitivityTable table = profile::profile_model(model, prompts, token_ids_hash(prompts), options);
  write_file_atomic(cmd.out, to_json(table).dump(2) + "\n", cmd.force);
  write_file_atomic(csv_path, to_csv(table), cmd.force);
  write_file_atomic(svg_path, search::sensitivity_heatmap_svg(table), cmd.force);
  std::fputs(profile::sensitivity_summary(table).c_str(), stdout);
  log_info("wrote " + cmd.out + ", " + csv_path + ", " + svg_path);
}

}  // namespace

void register_profile(CLI::App& app) {
  auto cmd = std::make_shared<ProfileCommand>();
  auto* sub = app.add_subcommand("profile", "Measure each layer's attention-output error for every (key, value) bit pair");
  sub->add_option("--model", cmd->model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  sub->add_option("--ids", cmd->ids_path, "Calibration prompts as token ids: .jsonl, one JSON array per line")->required();
  sub->add_option("--scheme", cmd->scheme, "Quantization scheme: kivi or per-token-asym")->capture_default_str();
  auto* bits = sub->add_option("--bits", cmd->bits, "Candidate widths; every (key, value) pair of them, e.g. 2,3,4,8")
                   ->delimiter(',');
  sub->add_option("--pairs", cmd->pairs, "Explicit candidate pairs, e.g. KV8,K8V4,KV4 (default: all of {2,4,8}²)")
      ->excludes(bits);
  sub->add_option("--prefill", cmd->prefill, "Prompt attention with full-precision K/V (fp) or the quantized cache (quantized)")
      ->capture_default_str();
  sub->add_option("--prefill-len", cmd->prefill_len,
                  "Tokens at the start of each prompt processed as its prefill; the rest are decode steps")
      ->capture_default_str();
  sub->add_option("--dtype", cmd->dtype, "Compute dtype of the forward: float32, bfloat16, float16")->capture_default_str();
  sub->add_option("--device", cmd->device, "cpu, cuda or cuda:N")->capture_default_str();
  sub->add_option("--out", cmd->out, "Sensitivity table (JSON); .csv and .svg siblings are written beside it")->required();
  sub->add_flag("--force", cmd->force, "Overwrite existing outputs");
  sub->callback([cmd] { run_profile(*cmd); });
}

}  // namespace kvt::app
