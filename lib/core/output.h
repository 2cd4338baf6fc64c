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

// Reads a whole file. @throws InputError naming the file when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace kvt
