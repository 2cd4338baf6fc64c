// A (key bits, value bits) pair and its KVTuner names: KV8, K8V4, K4V2, KV16 (full precision).
#pragma once
#include <string>
#include <vector>

namespace kvt {

struct PrecisionPair {
  int key_bits = 16;
  int value_bits = 16;

  // KVTuner naming rule: "KV<b>" when K = V, else "K<a>V<b>".
  std::string name() const;
  // f_m contribution of one layer: (b_k + b_v) / 2 (KVTuner §5.1).
  double mean_bits() const { return (key_bits + value_bits) / 2.0; }
  bool is_full_precision() const { return key_bits >= 16 && value_bits >= 16; }

  bool operator==(const PrecisionPair& o) const { return key_bits == o.key_bits && value_bits == o.value_bits; }
  bool operator!=(const PrecisionPair& o) const { return !(*this == o); }
  // Sorted by decreasing total bits, then decreasing key bits (the order the official lists use).
  bool operator<(const PrecisionPair& o) const;
};

// Parses "KV8", "K8V4", "k4v2", "8,4", "8:4". @throws InputError naming the text.
PrecisionPair parse_precision_pair(const std::string& text);

// Bit widths a quantized K or V may use: 1..8, or 16 for full precision.
bool is_supported_bits(int bits);

// "--bits 2,4,8" → all pairs of that set; "--pairs KV8,K8V4" → that list. @throws InputError.
std::vector<PrecisionPair> pairs_from_bits(const std::vector<int>& bits);
std::vector<PrecisionPair> parse_pair_list(const std::string& comma_separated);

// The default candidate set: all 9 pairs of {2,4,8}², sorted.
std::vector<PrecisionPair> default_candidate_pairs();

// The uniform references every search plot and evaluation table shows beside the searched configs: KV8, K8V4, KV4,
// K4V2, KV2 (the uniform points of the paper's plots), in that order.
std::vector<PrecisionPair> uniform_reference_pairs();
// Names joined by commas: "KV8,K8V4,KV4,K4V2,KV2" (the default of --baselines).
std::string pair_list_text(const std::vector<PrecisionPair>& pairs);

}  // namespace kvt
