#include "lib/core/hash.h"

#include <cstdio>

namespace kvt {

void Fnv1a64::update(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    state_ ^= p[i];
    state_ *= 0x100000001b3ULL;
  }
}

std::string Fnv1a64::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(state_));
  return buf;
}

std::string fnv1a64_hex(const std::string& data) {
  Fnv1a64 h;
  h.update(data);
  return h.hex();
}

}  // namespace kvt
