// Search candidates by engine (issue 16, `--engine`): the KV-cache types an inference engine really runs and
// the shape of config it accepts, so that a search can work on exactly what the engine will run.
//
// A *candidate* is a (K type, V type) pair for one layer. A type is either an integer width under kvtuner's
// scheme (`--engine hf`, today's KVTuner pairs) or a KV-cache type of lib/quant/kv_types.h (fp8_e4m3, q4_0,
// ...), or the engine's unquantized 16-bit cache (f16 / bf16 / auto). Its memory is the type's storage cost
// in bits per element (codes plus block parameters; per-tensor scales are not counted: they do not grow with
// the cache), and bytes per token follow from the model's KV heads and head_dim.
//
// The constraint shapes (docs/engine-types.md §8, sources there):
//   engine        scope      K/V     types                                           skip layers at bf16
//   hf            per layer  K ≠ V   integer widths under --scheme                   (16 is a width)
//   vllm          global*    K = V   fp8_e4m3 | fp8_e5m2                             yes: per-layer {fp8, bf16}
//   sglang        global     K = V   fp8_e4m3 | fp8_e5m2                             no
//   tensorrt-llm  global     K = V   fp8_e4m3 | nvfp4                                no
//   llama.cpp     global     K ≠ V   q8_0 q5_1 q5_0 q4_1 q4_0 iq4_nl                 no
//   ik_llama.cpp  per layer  K ≠ V   the same types                                  no
//   lmdeploy      global     K = V   int8 | int4 (quant_policy 8 / 4)                no
// (*) one quantized type for all layers; each layer either uses it or stays at the model dtype. Every engine
// can also run unquantized (f16 / bf16 / auto), which is always a candidate.
// Torch-free (search/ never links LibTorch).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "search/interop/storage_type.h"

namespace kvt::interop {

enum class LayerScope {
  PerLayer,  // each layer has its own candidate
  Global,    // one candidate for every layer
};

// What an engine accepts. Declared by the engine's file in engines/ (EngineSpec::search_shapes); `hf` is
// built in (integer_pairs).
struct EngineConstraints {
  std::string name;  // the --engine name: "vllm", "ik_llama.cpp", "hf"
  std::string help;  // one line: the flags that set the cache types, and the source
  LayerScope scope = LayerScope::PerLayer;
  bool key_equals_value = false;  // one type for K and V
  // The engine's quantized KV-cache types, names of lib/quant/kv_types.h, in the engine's preference order.
  std::vector<std::string> types;
  // The engine's spelling of its unquantized cache ("f16", "bf16", "auto"): stored in 16 bits.
  std::string unquantized = "bf16";
  // One quantized type for all layers, but each layer may stay at `unquantized` (vLLM
  // --kv-cache-dtype-skip-layers): the configs are per-layer maps of {one of `types`, unquantized}.
  bool skip_layers_unquantized = false;
  // `hf`: candidates are the integer pairs under the scheme (today's KVTuner search); `types` is empty.
  bool integer_pairs = false;
};

// One K or V type of a candidate.
struct KvCandidateType {
  std::string name;              // engine spelling ("q4_0", "fp8_e4m3", "bf16") or an integer width ("4")
  int integer_bits = 0;          // hf: the width (16 = unquantized); 0 for an engine type
  double bits_per_element = 16;  // storage cost, parameters included
  bool unquantized() const { return integer_bits >= 16 || bits_per_element >= 16; }
  bool operator==(const KvCandidateType& o) const { return name == o.name && integer_bits == o.integer_bits; }
};

// One layer's (K type, V type).
struct KvCandidate {
  KvCandidateType key, value;
  // "KV<b>" / "K<a>V<b>" for integer pairs (PrecisionPair::name), "KV=fp8_e4m3" when K and V share an engine
  // type, else "K=q8_0,V=q4_0".
  std::string name() const;
  // Mean of K and V storage (what one layer contributes to a config's bits per element).
  double bits_per_element() const { return (key.bits_per_element + value.bits_per_element) / 2; }
  bool operator==(const KvCandidate& o) const { return key == o.key && value == o.value; }
};

// A set of configs the engine accepts: a per-layer choice among `candidates` (per_layer), or one of them for
// every layer. An engine's configs are the union of its families (vLLM: one family per fp8 type, each a
// per-layer choice of {that type, bf16}).
struct CandidateFamily {
  std::string label;  // "vllm fp8_e4m3", "llama.cpp"
  bool per_layer = true;
  std::vector<KvCandidate> candidates;
};

// The --engine names, in table order: hf, then each export engine's shapes (engine_registry.h).
std::vector<std::string> search_engine_names();
// @throws InputError (435) naming `option` and listing the names when `name` is unknown.
const EngineConstraints& find_search_engine(const std::string& name, const std::string& option = "--engine");

// The candidate families of an engine at `head_dim`. For `hf` (integer_pairs) the candidates are `pairs` with
// the storage of kvtuner's quantizer under `scheme` (storage_type.h kvtuner_storage); other engines ignore
// `pairs` and `scheme`. @throws InputError (431) when head_dim does not fit a type's block size.
std::vector<CandidateFamily> candidate_families(const EngineConstraints& engine, int head_dim,
                                                const std::vector<PrecisionPair>& pairs = {},
                                                const SchemeStorage& scheme = SchemeStorage::uniform(128));

// Every distinct candidate of the families, in first-seen order (what a profile measures).
std::vector<KvCandidate> distinct_candidates(const std::vector<CandidateFamily>& families);

// KV-cache bytes per token of a config (one candidate per layer): Σ_l H_kv · D · (b_K + b_V) / 8.
double kv_bytes_per_token(const std::vector<KvCandidate>& layers, int kv_heads, int head_dim);
// Tokens of context whose KV cache fits `memory_bytes`: floor(memory_bytes / bytes_per_token).
// @throws InputError (437) when bytes_per_token is not finite and > 0.
int64_t max_context_tokens(double bytes_per_token, uint64_t memory_bytes);

// Parses a memory size: an integer or decimal number followed by B, KB, MB, GB, TB (powers of 1000), KiB,
// MiB, GiB, TiB (powers of 1024), or nothing (bytes); e.g. "16GiB", "80GB", "1.5GiB". Case-sensitive units.
// @throws InputError (436) naming `option` for anything else, a size that is not > 0 or beyond 2^63 bytes.
uint64_t parse_memory_size(const std::string& text, const std::string& option = "--kv-memory");

}  // namespace kvt::interop
