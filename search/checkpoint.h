// The NSGA-II checkpoint file: the population after some generations, so a rerun of the same command resumes.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "search/nsga2_search.h"

namespace kvt::search {

// Name of the checkpoint inside the output directory.
inline constexpr const char* kCheckpointFileName = "nsga2_checkpoint.json";

// Doubles are written by nlohmann's shortest round-trip form, so a state read back is bit-identical.
nlohmann::json to_json(const Nsga2State& state);
// @throws InputError naming `source` and the field.
Nsga2State nsga2_state_from_json(const nlohmann::json& j, const std::string& source);
// @throws InputError naming the file when it cannot be read or parsed.
Nsga2State read_nsga2_checkpoint(const std::string& path);

}  // namespace kvt::search
