// Content hashes recorded in outputs (model, calibration set). FNV-1a 64-bit: an identity check, not security.
#pragma once
#include <cstdint>
#include <string>

namespace kvt {

class Fnv1a64 {
 public:
  void update(const void* data, size_t size);
  void update(const std::string& s) { update(s.data(), s.size()); }
  uint64_t value() const { return state_; }
  std::string hex() const;  // 16 lowercase hex digits

 private:
  uint64_t state_ = 0xcbf29ce484222325ULL;
};

std::string fnv1a64_hex(const std::string& data);

}  // namespace kvt
