// One run's output directory: an exclusive lock, so two runs never write into one directory at once, and the
// manifest of the files the run wrote, so a later run with --force removes exactly those (docs/formats.md).
//   DIR/.kvtuner.lock   exists while a run holds DIR: flock(2) on it, the holder's pid inside; removed on release
//   DIR/manifest.json   {"format": "kvtuner-run-manifest", "format_version": 1, "complete": bool,
//                        "settings": {...}, "files": [relative paths, sorted]}
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kvt {

inline constexpr const char* kLockFileName = ".kvtuner.lock";
inline constexpr const char* kManifestFileName = "manifest.json";

class OutputDirLock {
 public:
  // Creates `dir` (and parents) if needed and takes its lock, without waiting.
  // @throws InputError 981 naming `dir` and the holder's pid (when it wrote one) if another process holds it;
  //         111/112 if `dir` is not a directory or cannot be created; 113 if the lock file cannot be created
  //         (an unwritable directory); 112 for an empty path.
  explicit OutputDirLock(const std::string& dir);
  // Releases the lock and removes the lock file; removes `dir` again when this lock created it and it is empty.
  ~OutputDirLock();
  OutputDirLock(const OutputDirLock&) = delete;
  OutputDirLock& operator=(const OutputDirLock&) = delete;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int fd_ = -1;
  bool created_ = false;
};

struct RunManifest {
  bool complete = false;  // false while the run is writing (or when it was killed)
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();  // what the run records to recognise its outputs
  std::set<std::string> files;  // paths relative to the directory, lexically normal, never ".." or absolute
};

nlohmann::ordered_json to_json(const RunManifest& manifest);
// DIR/manifest.json, or nothing when there is none.
// @throws InputError 982 naming the file and the field when it is not a valid manifest.
std::optional<RunManifest> read_run_manifest(const std::string& dir);

// Removes the regular files the manifest lists (links and other kinds are never touched) except those in `keep`,
// then the directories that became empty by it. @returns the relative paths removed.
// @throws InputError 113 naming a file that exists and cannot be removed.
std::vector<std::string> remove_manifest_files(const std::string& dir, const RunManifest& manifest,
                                               const std::set<std::string>& keep = {});

// Keeps DIR/manifest.json up to date while it lives: installs the write listener (output.h), so every file that
// write_file_atomic writes under DIR is added to the manifest, which is rewritten (complete: false) before the file
// itself is written. finish() marks it complete. Removes the listener on destruction. One at a time.
class ManifestRecorder {
 public:
  // Writes the manifest at once. @throws as write_file_atomic.
  ManifestRecorder(std::string dir, RunManifest initial);
  ~ManifestRecorder();
  ManifestRecorder(const ManifestRecorder&) = delete;
  ManifestRecorder& operator=(const ManifestRecorder&) = delete;
  void finish();
  const RunManifest& manifest() const { return manifest_; }

 private:
  void save();
  std::string dir_;
  RunManifest manifest_;
  bool saving_ = false;
};

}  // namespace kvt
