#include "apps/kvtuner-search/run_outputs.h"

#include <unistd.h>

#include <filesystem>

#include "lib/core/error.h"

namespace fs = std::filesystem;

namespace kvt::app {

std::set<std::string> reusable_run_files() {
  return {kRunProfileFile, "profile/sensitivity.csv", "profile/sensitivity.svg", "search/nsga2_checkpoint.json",
          "search-e2e/nsga2_checkpoint.json"};
}

void check_run_outputs(const std::string& dir, const std::vector<std::string>& planned,
                       const std::optional<RunManifest>& previous, bool force) {
  const bool takeover = previous && !previous->complete;
  std::set<fs::path> checked_dirs;
  auto check = [&](const std::string& relative, bool listed) {
    const fs::path path = fs::path(dir) / relative;
    std::error_code ec;
    const auto status = fs::symlink_status(path, ec);
    if (fs::exists(status)) {
      if (!fs::is_regular_file(status))
        throw InputError(path.string() + ": exists and is not a regular file; refusing to replace it", 116);
      if (!force && !(takeover && listed))
        throw InputError(path.string() + ": already exists" +
                             (listed ? " (an output of the previous run in " + dir + ")" : std::string()) +
                             "; pass --force to overwrite it",
                         110);
    }
    // The deepest existing directory on the way must be writable.
    for (fs::path parent = path.parent_path(); !parent.empty(); parent = parent.parent_path()) {
      if (!fs::exists(parent, ec)) continue;
      if (!checked_dirs.insert(parent).second) break;
      if (!fs::is_directory(parent, ec)) throw InputError(parent.string() + ": exists and is not a directory", 111);
      if (::access(parent.c_str(), W_OK | X_OK) != 0)
        throw InputError(parent.string() + ": the output directory is not writable", 113);
      break;
    }
  };
  for (const auto& f : planned) check(f, previous && previous->files.count(f));
  if (previous && previous->complete)
    for (const auto& f : previous->files) check(f, true);
}

std::string profile_setting_option(const std::string& key) {
  static const std::vector<std::pair<std::string, std::string>> options = {{"kvtuner_version", "the kvtuner version"},
                                                                           {"model_hash", "--model"},
                                                                           {"model_name", "--model"},
                                                                           {"calib_hash", "--calib/--ids"},
                                                                           {"scheme", "--scheme"},
                                                                           {"scheme_params", "--scheme"},
                                                                           {"prefill_mode", "--prefill"},
                                                                           {"pairs", "--pairs"},
                                                                           {"prompt_len", "--prompt-len"},
                                                                           {"proxy", "--proxy"},
                                                                           {"proxy_budget_minutes", "--proxy-budget"},
                                                                           {"kl_tokens", "--kl-tokens"},
                                                                           {"batch_tokens", "--batch-tokens"},
                                                                           {"seed", "--seed"},
                                                                           {"dtype", "--dtype"},
                                                                           {"device", "--device"},
                                                                           {"threads", "--threads"}};
  for (const auto& [k, option] : options)
    if (k == key) return option;
  return key;
}

std::optional<std::string> profile_mismatch(const SensitivityTable& table, const nlohmann::ordered_json& recorded,
                                            const nlohmann::ordered_json& settings) {
  // Compared as plain JSON, so the key order of objects (scheme_params) does not matter.
  auto same = [](const nlohmann::ordered_json& a, const nlohmann::ordered_json& b) {
    return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
  };
  auto differ = [](const std::string& key, const nlohmann::ordered_json& was, const nlohmann::ordered_json& now) {
    return key + " " + was.dump() + " ≠ " + now.dump() + " (" + profile_setting_option(key) + ")";
  };
  // The table's own record first: a profile replaced after the run wrote it is caught here.
  nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
  for (const auto& p : table.pairs) pairs.push_back(p.name());
  // The table's scheme_params also hold the profile's prompt_len (compared through the settings).
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  if (table.scheme_params.is_object())
    for (const auto& [key, value] : table.scheme_params.items())
      if (key != "prompt_len") params[key] = nlohmann::ordered_json::parse(value.dump());
  const nlohmann::ordered_json from_table = {{"model_name", table.model_name},
                                             {"model_hash", table.model_hash},
                                             {"calib_hash", table.calib_hash},
                                             {"scheme", table.scheme},
                                             {"scheme_params", params},
                                             {"prefill_mode", table.prefill_mode},
                                             {"pairs", pairs}};
  for (const auto& [key, value] : from_table.items())
    if (settings.contains(key) && !same(settings[key], value)) return differ(key, value, settings[key]);
  if (!recorded.is_object()) return std::string("the manifest records no profile settings");
  for (const auto& [key, value] : settings.items()) {
    if (!recorded.contains(key)) return key + " not recorded in the manifest (" + profile_setting_option(key) + ")";
    if (!same(recorded[key], value)) return differ(key, recorded[key], value);
  }
  return std::nullopt;
}

}  // namespace kvt::app
