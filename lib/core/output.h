// Writing results safely: every file goes to a temporary sibling first and is renamed into place,
// so a failed run leaves nothing half-written; existing results are kept unless `force` is set.
#pragma once
#include <string>

namespace kvt {

// Writes `content` to `path` atomically. @throws InputError if `path` exists and !force,
// or if the directory is not writable.
void write_file_atomic(const std::string& path, const std::string& content, bool force);

// Creates `dir` (and parents) if needed. @throws InputError if it exists and holds files that
// this run would overwrite and !force (checked by the caller with check_overwrite), or if it
// cannot be created.
void ensure_directory(const std::string& dir);

// @throws InputError naming `path` when it exists and !force.
void check_overwrite(const std::string& path, bool force);

// Reads a whole file. Only regular files (or links to them) are read: a directory, FIFO, socket or device
// (/dev/zero, /dev/stdin) is refused before anything is read, and opening never blocks.
// @throws InputError 114 naming the file when it is not a regular file, 115 when it cannot be opened or read.
std::string read_file(const std::string& path);

// "a directory", "a FIFO", "a character device", ... for a stat() st_mode, for messages.
std::string file_type_name(unsigned mode);

}  // namespace kvt
