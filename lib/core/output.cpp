#include "lib/core/output.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/core/error.h"

namespace fs = std::filesystem;

namespace kvt {

namespace {

WriteListener& write_listener() {
  static WriteListener listener;
  return listener;
}

// Writes all of `content` to `fd` and syncs it. @returns errno of the first failure, 0 on success.
int write_and_sync(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) return errno;
  return 0;
}

// Makes a rename in `dir` durable. Filesystems that cannot sync a directory (EINVAL) are left as they are.
void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool process_running(long pid) {
  if (pid <= 0) return false;
  return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

void set_write_listener(WriteListener listener) { write_listener() = std::move(listener); }

void check_overwrite(const std::string& path, bool force) {
  if (!force && fs::exists(path)) throw InputError(path + ": already exists; pass --force to overwrite it", 110);
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
  if (write_listener()) write_listener()(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw InputError(path + ": cannot write: " + std::strerror(errno), 113);
  const int err = write_and_sync(fd, content);
  const int close_err = ::close(fd) != 0 ? errno : 0;
  if (err != 0 || close_err != 0) {
    ::unlink(tmp.c_str());
    throw InputError(path + ": write failed: " + std::strerror(err != 0 ? err : close_err), 113);
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    throw InputError(path + ": cannot rename into place: " + ec.message(), 113);
  }
  sync_directory(target.parent_path());
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
    throw InputError(path + ": " +
                         (S_ISDIR(st.st_mode) ? std::string("is a directory")
                                              : "is not a regular file (" + file_type_name(st.st_mode) + ")") +
                         ", expected a file",
                     114);
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

long temp_file_owner(const std::string& file_name) {
  const std::string marker = ".tmp.";
  const size_t at = file_name.rfind(marker);
  if (at == std::string::npos || at == 0) return -1;
  const std::string digits = file_name.substr(at + marker.size());
  if (digits.empty() || digits.size() > 10 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stol(digits);
}

std::vector<std::string> remove_stale_temp_files(const std::string& dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || it->is_symlink(type_ec)) continue;
    const long pid = temp_file_owner(it->path().filename().string());
    if (pid < 0 || process_running(pid)) continue;
    std::error_code remove_ec;
    if (fs::remove(it->path(), remove_ec)) removed.push_back(it->path().string());
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

}  // namespace kvt
