// Writing results safely: every file goes to a temporary sibling `<path>.tmp.<pid>` first, is flushed to disk
// (fsync), renamed into place, and the directory is synced, so a failed or killed run leaves nothing half-written
// (at worst a stale temporary file, which remove_stale_temp_files cleans); existing results are kept unless
// `force` is set.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace kvt {

// Writes `content` to `path` atomically and durably (fsync of the file before the rename, of the directory after).
// @throws InputError 110 if `path` exists and !force; 116 if it exists and is not a regular file; 111/112 if its
// directory cannot be created; 113 if the file cannot be written, synced or renamed into place.
void write_file_atomic(const std::string& path, const std::string& content, bool force);

// Creates `dir` (and parents) if needed. @throws InputError 111 if it exists and is not a directory, 112 if it
// cannot be created. Overwrite checks are the caller's (check_overwrite).
void ensure_directory(const std::string& dir);

// @throws InputError 110 naming `path` when it exists and !force.
void check_overwrite(const std::string& path, bool force);

// Reads a whole file. Only regular files (or links to them) are read: a directory, FIFO, socket or device
// (/dev/zero, /dev/stdin) is refused before anything is read, and opening never blocks.
// @throws InputError 114 naming the file when it is not a regular file, 115 when it cannot be opened or read.
std::string read_file(const std::string& path);

// "a directory", "a FIFO", "a character device", ... for a stat() st_mode, for messages.
std::string file_type_name(unsigned mode);

// Called by write_file_atomic with the path of every file it is about to write, before anything is written
// (a run's manifest, lib/core/output_dir.h). One listener per process; an empty function removes it. Whatever the
// listener throws aborts the write.
using WriteListener = std::function<void(const std::string& path)>;
void set_write_listener(WriteListener listener);

// The owner pid of a temporary file name `<name>.tmp.<pid>`, or -1 when `file_name` is not one.
long temp_file_owner(const std::string& file_name);

// Removes the temporary files `<name>.tmp.<pid>` under `dir` (recursively, links not followed) whose pid is not a
// running process: what a killed run left between writing and renaming. Returns the paths removed (sorted).
// Never throws; files it cannot remove are kept.
std::vector<std::string> remove_stale_temp_files(const std::string& dir);

}  // namespace kvt
