#include "search/checkpoint.h"

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"

namespace kvt::search {

namespace {
constexpr const char* kFormatName = "kvtuner-nsga2-checkpoint";
constexpr int kFormatVersion = 1;
}  // namespace

nlohmann::json to_json(const Nsga2State& state) {
  nlohmann::json j;
  j["format"] = kFormatName;
  j["format_version"] = kFormatVersion;
  j["fingerprint"] = state.fingerprint;
  j["seed"] = state.seed;
  j["generation"] = state.generation;
  j["genes"] = state.genes;
  j["fitness"] = state.fitness;
  nlohmann::json archive = nlohmann::json::array();
  for (const auto& p : state.archive) archive.push_back({{"genes", p.genes}, {"memory", p.memory}, {"error", p.error}});
  j["archive"] = archive;
  return j;
}

Nsga2State nsga2_state_from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || j.value("format", std::string()) != kFormatName)
    throw InputError(source + ": not a kvtuner NSGA-II checkpoint (format is not '" + std::string(kFormatName) + "')",
                     654);
  Nsga2State state;
  try {
    if (j.at("format_version").get<int>() != kFormatVersion)
      throw InputError(source + ": checkpoint format_version is not " + std::to_string(kFormatVersion), 654);
    state.fingerprint = j.at("fingerprint").get<std::string>();
    state.seed = j.at("seed").get<unsigned>();
    state.generation = j.at("generation").get<int>();
    state.genes = j.at("genes").get<std::vector<std::vector<int>>>();
    state.fitness = j.at("fitness").get<std::vector<std::vector<double>>>();
    for (const auto& p : j.at("archive"))
      state.archive.push_back(
          {p.at("genes").get<std::vector<int>>(), p.at("memory").get<double>(), p.at("error").get<double>()});
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": malformed checkpoint (" + std::string(e.what()) + ")", 654);
  }
  return state;
}

Nsga2State read_nsga2_checkpoint(const std::string& path) {
  return nsga2_state_from_json(
      parse_json(read_file(path), path + ": checkpoint", 654, "; delete it or pass --force to start over"), path);
}

}  // namespace kvt::search
