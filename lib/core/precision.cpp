#include "lib/core/precision.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "lib/core/error.h"

namespace kvt {

std::string PrecisionPair::name() const {
  if (key_bits == value_bits) return "KV" + std::to_string(key_bits);
  return "K" + std::to_string(key_bits) + "V" + std::to_string(value_bits);
}

bool PrecisionPair::operator<(const PrecisionPair& o) const {
  int total = key_bits + value_bits, other_total = o.key_bits + o.value_bits;
  if (total != other_total) return total > other_total;
  return key_bits > o.key_bits;
}

bool is_supported_bits(int bits) { return (bits >= 1 && bits <= 8) || bits == 16; }

namespace {

int parse_bits(const std::string& digits, const std::string& text) {
  if (digits.empty() || digits.size() > 2 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
    throw InputError("precision pair '" + text + "': expected KV<b>, K<a>V<b> or <a>,<b>", 101);
  int bits = std::stoi(digits);
  if (!is_supported_bits(bits))
    throw InputError("precision pair '" + text + "': " + std::to_string(bits) + " bits is not in 1..8 or 16", 102);
  return bits;
}

}  // namespace

PrecisionPair parse_precision_pair(const std::string& text) {
  std::string s;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.rfind("KV", 0) == 0) {
    int b = parse_bits(s.substr(2), text);
    return {b, b};
  }
  if (!s.empty() && s[0] == 'K') {
    auto v = s.find('V');
    if (v == std::string::npos) parse_bits("", text);
    return {parse_bits(s.substr(1, v - 1), text), parse_bits(s.substr(v + 1), text)};
  }
  auto sep = s.find_first_of(",:");
  if (sep == std::string::npos) parse_bits("", text);
  return {parse_bits(s.substr(0, sep), text), parse_bits(s.substr(sep + 1), text)};
}

std::vector<PrecisionPair> pairs_from_bits(const std::vector<int>& bits) {
  if (bits.empty()) throw InputError("--bits: the list is empty", 103);
  std::vector<PrecisionPair> pairs;
  for (int k : bits) {
    if (!is_supported_bits(k)) throw InputError("--bits: " + std::to_string(k) + " is not in 1..8 or 16", 102);
    for (int v : bits) pairs.push_back({k, v});
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

std::vector<PrecisionPair> parse_pair_list(const std::string& comma_separated) {
  std::vector<PrecisionPair> pairs;
  std::stringstream ss(comma_separated);
  std::string item;
  // Items are separated by commas unless they are "<a>,<b>" numeric pairs; accept KV names only here.
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    pairs.push_back(parse_precision_pair(item));
  }
  if (pairs.empty()) throw InputError("--pairs: the list is empty", 103);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

std::vector<PrecisionPair> default_candidate_pairs() { return pairs_from_bits({2, 4, 8}); }

std::vector<PrecisionPair> uniform_reference_pairs() { return {{8, 8}, {8, 4}, {4, 4}, {4, 2}, {2, 2}}; }

std::string pair_list_text(const std::vector<PrecisionPair>& pairs) {
  std::string out;
  for (const auto& p : pairs) out += (out.empty() ? "" : ",") + p.name();
  return out;
}

}  // namespace kvt
