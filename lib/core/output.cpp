#include "lib/core/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/core/error.h"

namespace fs = std::filesystem;

namespace kvt {

void check_overwrite(const std::string& path, bool force) {
  if (!force && fs::exists(path))
    throw InputError(path + ": already exists; pass --force to overwrite it", 110);
}

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) throw InputError(dir + ": exists and is not a directory", 111);
    return;
  }
  fs::create_directories(dir, ec);
  if (ec) throw InputError(dir + ": cannot create directory: " + ec.message(), 112);
}

void write_file_atomic(const std::string& path, const std::string& content, bool force) {
  check_overwrite(path, force);
  // Renaming over a directory or a device (say /dev/null) would replace it: only regular files are results.
  std::error_code status_ec;
  auto status = fs::symlink_status(path, status_ec);
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw InputError(path + ": exists and is not a regular file; refusing to replace it", 116);
  fs::path target(path);
  if (target.has_parent_path()) ensure_directory(target.parent_path().string());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write: " + std::strerror(errno), 113);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw InputError(path + ": write failed: " + std::strerror(errno), 113);
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw InputError(path + ": cannot rename into place: " + ec.message(), 113);
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path + ": is a directory, expected a file", 114);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno), 115);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kvt
