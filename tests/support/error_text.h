// The message a call throws as kvt::Error, or "no error": for tests that compare whole error lines.
#pragma once
#include <functional>
#include <string>

#include "lib/core/error.h"

namespace kvt::test {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kvt::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace kvt::test
