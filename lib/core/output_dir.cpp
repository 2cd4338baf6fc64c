#include "lib/core/output_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"

namespace fs = std::filesystem;

namespace kvt {

namespace {

constexpr const char* kManifestFormat = "kvtuner-run-manifest";
constexpr int kManifestVersion = 1;

std::string holder_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string text = n > 0 ? std::string(buffer, size_t(n)) : std::string();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "";
  return text;
}

// A manifest entry: a relative, lexically normal path inside the directory.
bool safe_relative(const std::string& path) {
  if (path.empty()) return false;
  fs::path p(path);
  if (p.is_absolute() || p.lexically_normal() != p) return false;
  for (const auto& part : p)
    if (part == ".." || part == ".") return false;
  return true;
}

}  // namespace

OutputDirLock::OutputDirLock(const std::string& dir) : dir_(dir) {
  if (dir.empty()) throw InputError("--out: the path is empty", 112);
  std::error_code ec;
  created_ = !fs::exists(dir, ec);
  ensure_directory(dir);
  const std::string path = (fs::path(dir) / kLockFileName).string();
  // A released lock file is unlinked by its holder: a lock taken on an unlinked file is retried on the new one.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
      const int err = errno;
      if (created_) fs::remove(dir, ec);
      throw InputError(dir + ": cannot create the lock file " + kLockFileName + " (" + std::strerror(err) +
                           "); is the output directory writable?",
                       113);
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : "";
      ::close(fd);
      if (err == EWOULDBLOCK)
        throw InputError(dir + ": the output directory is in use by another kvtuner run" +
                             (pid.empty() ? std::string() : " (pid " + pid + ")") +
                             "; wait for it to finish or choose another --out",
                         981);
      throw InputError(dir + ": cannot lock " + kLockFileName + ": " + std::strerror(err), 113);
    }
    struct stat held {
    }, current{};
    if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &current) != 0 || held.st_ino != current.st_ino ||
        held.st_dev != current.st_dev) {
      ::close(fd);
      continue;
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
      const int err = errno;
      ::unlink(path.c_str());
      ::close(fd);
      throw InputError(dir + ": cannot write the lock file " + kLockFileName + ": " + std::strerror(err), 113);
    }
    fd_ = fd;
    return;
  }
  throw InputError(dir + ": cannot take the lock " + kLockFileName + " (it keeps being replaced)", 981);
}

OutputDirLock::~OutputDirLock() {
  if (fd_ < 0) return;
  ::unlink((fs::path(dir_) / kLockFileName).c_str());  // before unlocking, so nobody locks a file about to vanish
  ::close(fd_);
  std::error_code ec;
  if (created_ && fs::is_empty(dir_, ec) && !ec) fs::remove(dir_, ec);
}

nlohmann::ordered_json to_json(const RunManifest& m) {
  nlohmann::ordered_json j;
  j["format"] = kManifestFormat;
  j["format_version"] = kManifestVersion;
  j["complete"] = m.complete;
  j["settings"] = m.settings;
  j["files"] = nlohmann::ordered_json::array();
  for (const auto& f : m.files) j["files"].push_back(f);  // std::set: sorted
  return j;
}

std::optional<RunManifest> read_run_manifest(const std::string& dir) {
  const std::string path = (fs::path(dir) / kManifestFileName).string();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return std::nullopt;
  auto bad = [&](const std::string& what) {
    return InputError(path + ": " + what + "; delete it or pass --force (the files it lists are then kept)", 982);
  };
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) throw bad("not a regular file");
  nlohmann::ordered_json j;
  const std::string text = read_file(path);
  if (json_nesting_depth(text) > kMaxJsonDepth)
    throw bad("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw bad("not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != kManifestFormat)
    throw bad("format is not '" + std::string(kManifestFormat) + "'");
  if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
      j["format_version"] != kManifestVersion)
    throw bad("format_version is not " + std::to_string(kManifestVersion));
  RunManifest m;
  if (!j.contains("complete") || !j["complete"].is_boolean()) throw bad("field 'complete' is not true or false");
  m.complete = j["complete"].get<bool>();
  if (!j.contains("settings") || !j["settings"].is_object()) throw bad("field 'settings' is not an object");
  m.settings = j["settings"];
  if (!j.contains("files") || !j["files"].is_array()) throw bad("field 'files' is not an array");
  for (size_t i = 0; i < j["files"].size(); ++i) {
    const auto& f = j["files"][i];
    if (!f.is_string() || !safe_relative(f.get<std::string>()) || f.get<std::string>() == kManifestFileName ||
        f.get<std::string>() == kLockFileName)
      throw bad("files[" + std::to_string(i) + "] is not a relative path inside the directory");
    m.files.insert(f.get<std::string>());
  }
  return m;
}

std::vector<std::string> remove_manifest_files(const std::string& dir, const RunManifest& manifest,
                                               const std::set<std::string>& keep) {
  std::vector<std::string> removed;
  std::set<fs::path> parents;
  for (const auto& f : manifest.files) {
    if (keep.count(f) || !safe_relative(f)) continue;
    const fs::path path = fs::path(dir) / f;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) continue;  // gone, or not something a run writes
    if (!fs::remove(path, ec) || ec)
      throw InputError(path.string() + ": cannot remove this output of the previous run: " + ec.message(), 113);
    removed.push_back(f);
    for (fs::path p = fs::path(f).parent_path(); !p.empty(); p = p.parent_path()) parents.insert(p);
  }
  // Deepest first, so a directory emptied by removing its empty subdirectory goes too.
  for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
    std::error_code ec;
    const fs::path path = fs::path(dir) / *it;
    if (fs::is_directory(fs::symlink_status(path, ec)) && fs::is_empty(path, ec) && !ec) fs::remove(path, ec);
  }
  return removed;
}

ManifestRecorder::ManifestRecorder(std::string dir, RunManifest initial)
    : dir_(std::move(dir)), manifest_(std::move(initial)) {
  manifest_.complete = false;
  save();
  set_write_listener([this](const std::string& path) {
    if (saving_) return;
    const fs::path relative = fs::path(path).lexically_normal().lexically_relative(fs::path(dir_).lexically_normal());
    const std::string name = relative.string();
    if (!safe_relative(name) || name == kManifestFileName) return;  // not inside the directory
    if (manifest_.files.insert(name).second) save();
  });
}

ManifestRecorder::~ManifestRecorder() { set_write_listener({}); }

void ManifestRecorder::finish() {
  manifest_.complete = true;
  save();
}

void ManifestRecorder::save() {
  saving_ = true;
  try {
    write_file_atomic((fs::path(dir_) / kManifestFileName).string(), to_json(manifest_).dump(1) + "\n", true);
  } catch (...) {
    saving_ = false;
    throw;
  }
  saving_ = false;
}

}  // namespace kvt
