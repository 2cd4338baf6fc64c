#include "lib/core/output.h"

#include <fcntl.h>
#include <sys/stat.h>
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
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the open descriptor, so what
  // is read is what was checked. Only regular files are inputs (a FIFO, socket or device such as /dev/zero could
  // block or never end).
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EISDIR) throw InputError(path + ": is a directory, expected a file", 114);
    throw InputError(path + ": cannot open: " + std::strerror(err), 115);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw InputError(path + ": cannot stat: " + std::strerror(err), 115);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InputError(path + ": " + (S_ISDIR(st.st_mode) ? std::string("is a directory") : "is not a regular file (" + file_type_name(st.st_mode) + ")") +
                         ", expected a file", 114);
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw InputError(path + ": cannot read: " + std::strerror(err), 115);
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string file_type_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

}  // namespace kvt
