// Error hierarchy shared by every library. Library code throws; only main() catches.
// Messages follow "[kvt.<category>.<id>] <where>: <what>"; ids are listed in docs/errors.md.
#pragma once
#include <stdexcept>
#include <string>

namespace kvt {

class Error : public std::runtime_error {
 public:
  Error(const std::string& category, int id, const std::string& message)
      : std::runtime_error("[kvt." + category + "." + std::to_string(id) + "] " + message), id_(id) {}
  int id() const { return id_; }
  // Process exit code that main() returns for this error.
  virtual int exit_code() const { return 1; }

 private:
  int id_;
};

// Bad user input: files, fields, options. Exit code 2.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message, int id = 100) : Error("input", id, message) {}
  int exit_code() const override { return 2; }
};

// Something valid but not handled: an architecture, dtype, tokenizer feature. Exit code 2.
class UnsupportedError : public Error {
 public:
  explicit UnsupportedError(const std::string& message, int id = 200) : Error("unsupported", id, message) {}
  int exit_code() const override { return 2; }
};

// A broken invariant inside kvtuner (a bug). Exit code 1.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message, int id = 900) : Error("internal", id, message) {}
};

}  // namespace kvt

// Invariant check that stays on in release builds; never use it on user input.
#define KVT_ASSERT(cond, msg)                                                                            \
  do {                                                                                                   \
    if (!(cond))                                                                                         \
      throw ::kvt::InternalError(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + (msg) + \
                                 " (" #cond ")");                                                        \
  } while (0)
