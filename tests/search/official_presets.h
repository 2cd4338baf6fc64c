// Two official KVTuner presets (calibration_presets/; docs/method.md §15) as layer:pair lists, and a parser for that
// notation ("8–12:K4V2" with an en dash, "1,2:K4V2"), so tests build the configs from the published text.
#pragma once
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "lib/core/kv_config.h"

namespace kvt::test {

// Llama-3.1-8B-Instruct_kivi_KVTuner4_1 (KVTuner-C3.25).
inline const char* kLlama31KiviC325 =
    "0:KV2 1:KV4 2:KV4 3:KV4 4:KV2 5:K4V2 6:K4V2 7:KV4 8\u201312:K4V2 13:K8V4 14\u201316:K4V2 17:K8V4 "
    "18\u201324:K4V2 25:KV2 26:K4V2 27:KV2 28:K4V2 29:KV4 30:K4V2 31:KV4";
// Qwen2.5-7B-Instruct_pertoken_KVTuner4_0 (KVTuner-C4.00).
inline const char* kQwen25PertokenC400 =
    "0:KV8 1,2:K4V2 3:K8V2 4,5:K4V2 6,7:KV4 8:K4V2 9\u201312:KV4 13:K8V2 14\u201323:KV4 24,25:K4V2 26:KV4 27:K8V2";

// "a–b:PAIR" / "a,b:PAIR" / "a:PAIR" items separated by spaces → per-layer KvConfig.
inline KvConfig config_from_layer_pairs(const std::string& text) {
  std::map<int, PrecisionPair> by_layer;
  std::istringstream items(text);
  std::string item;
  while (items >> item) {
    auto colon = item.find(':');
    std::string layers = item.substr(0, colon);
    PrecisionPair pair = parse_precision_pair(item.substr(colon + 1));
    const std::string dash = "\u2013";
    auto at = layers.find(dash);
    if (at != std::string::npos) {
      int first = std::stoi(layers.substr(0, at)), last = std::stoi(layers.substr(at + dash.size()));
      for (int l = first; l <= last; ++l) by_layer[l] = pair;
      continue;
    }
    std::istringstream list(layers);
    std::string one;
    while (std::getline(list, one, ',')) by_layer[std::stoi(one)] = pair;
  }
  KvConfig config;
  for (const auto& [layer, pair] : by_layer) {
    if (layer != static_cast<int>(config.layers.size())) throw std::runtime_error("layer list has a gap");
    config.layers.push_back(pair);
  }
  return config;
}

// The same config written as the official preset file would be: CRLF line endings, no metadata.
inline std::string official_preset_text(const std::string& layer_pairs) {
  std::string lf = to_kvtuner_yaml(config_from_layer_pairs(layer_pairs), false), crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  return crlf;
}

}  // namespace kvt::test
