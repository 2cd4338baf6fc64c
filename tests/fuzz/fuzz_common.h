// Shared by the libFuzzer targets: every reader must either succeed or throw kvt::Error (a one-line message with
// an id); anything else escaping (a raw nlohmann or std exception) is a finding, so it is left uncaught and
// libFuzzer reports it, as it does crashes, sanitizer reports, leaks and timeouts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/core/error.h"

namespace kvt::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A kvt::Error must carry an id: "[kvt.<category>.<id>] ...", and at most 4 KB: a message quotes a file's bytes
// only in short excerpts (main() escapes any line break a quoted string holds, so the printed error is one line).
inline void check_error_line(const kvt::Error& e) {
  const std::string what = e.what();
  if (what.rfind("[kvt.", 0) != 0 || what.size() > 4096) {
    std::fprintf(stderr, "malformed error line: %s\n", what.c_str());
    std::abort();
  }
}

// Invariant check that aborts (a libFuzzer finding) with a message.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace kvt::fuzz

// Runs `body`; a kvt::Error is the expected refusal of bad input (checked to be one line with an id).
#define KVT_FUZZ_EXPECT_ERRORS(body) \
  try {                              \
    body;                            \
  } catch (const kvt::Error& e) {    \
    kvt::fuzz::check_error_line(e);  \
  }
