// The output directory of `run` (docs/formats.md, "The run directory"): the files a run may write, the checks made
// before any computation, and the profile a killed run left that the next run reuses.
//
// Rules, with DIR locked for the whole run (lib/core/output_dir.h):
// - Without --force, a file the run may write that exists is an error (input.110), unless DIR/manifest.json says
//   an incomplete run (one that was killed) wrote it: then this run takes over. A complete run's files that exist
//   are an error too, so no earlier result is left beside a new one.
// - With --force, the files the previous run's manifest lists are removed first; files it does not list are never
//   removed (those the run writes are replaced).
// - Taking over an incomplete run without --force reuses its profile when it matches (profile_mismatch) and the
//   search resumes from its checkpoint; the rest of its files are removed and written again.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/core/output_dir.h"
#include "lib/core/sensitivity_table.h"

namespace kvt::app {

// Relative paths in DIR that a run's profile stage writes, and the search checkpoints that go with that profile.
inline const char* const kRunProfileFile = "profile/sensitivity.json";
std::set<std::string> reusable_run_files();  // the profile's three files and both checkpoints

// @throws InputError 110 for a file that exists and may not be replaced (see above), 116 for a path that exists
// and is not a regular file, 113 for an existing directory the run would write into that is not writable.
void check_run_outputs(const std::string& dir, const std::vector<std::string>& planned,
                       const std::optional<RunManifest>& previous, bool force);

// What a profile depends on beyond the table's own fields, recorded in the manifest's "settings.profile".
// A reused profile must match every key. `option_of` names the command-line option of a key.
std::string profile_setting_option(const std::string& key);

// The first difference between the profile in DIR and this run, as "<field> <recorded> ≠ <wanted> (<option>)"; or
// nothing when it matches: the table's model_hash, calib_hash, scheme, scheme_params, prefill_mode and pairs equal
// this run's, and every key of the manifest's settings.profile equals `settings`.
std::optional<std::string> profile_mismatch(const SensitivityTable& table, const nlohmann::ordered_json& recorded,
                                            const nlohmann::ordered_json& settings);

}  // namespace kvt::app
