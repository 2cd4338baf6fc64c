// How one K or V tensor of one layer is stored, and what that costs in bits per element.
// Effective-bits conventions (docs/method.md §6): ggml blocks of 32 (llama.cpp PR #7412), FP8 ≈ 8, NVFP4 =
// 4 + 8/16, and kvtuner groups (b-bit codes plus a 16-bit scale and a 16-bit zero-point per group).
#pragma once
#include <string>
#include <vector>

namespace kvt::interop {

struct StorageType {
  std::string name;            // the engine's spelling: "fp8", "q4_0", "bf16"; kvtuner's own: "int4", "bf16"
  int nominal_bits = 16;       // the code width; sensitivity tables are looked up with it
  double effective_bits = 16;  // storage per element including scales/zero-points (not the residual window)

  bool operator==(const StorageType& o) const { return name == o.name; }
};

// How kvtuner's quantizer groups one tensor (K or V): lib/quant's TensorQuantSpec as recorded in
// scheme_params, reduced to what storage depends on.
struct GroupRule {
  int group_size = 128;    // elements sharing one scale (and zero-point)
  bool symmetric = false;  // symmetric groups store a scale only
};

struct SchemeStorage {
  GroupRule key, value;
  static SchemeStorage uniform(int group_size) { return {{group_size, false}, {group_size, false}}; }
};

// kvtuner's quantizer at `bits`: lib/quant's group_effective_bits (b + 32/G asymmetric, b + 16/G symmetric);
// 16 bits means unquantized bf16 (no overhead). The group sizes come from the scheme registry (per-token-asym:
// head_dim; KIVI: 32, KVTuner App. C). The full-precision residual window is not counted: it depends on the
// sequence length (16 · R / T extra bits, docs/method.md §6).
StorageType kvtuner_storage(int bits, const GroupRule& rule);
inline StorageType kvtuner_storage(int bits, int group_size) {
  return kvtuner_storage(bits, GroupRule{group_size, false});
}

// The KV-cache dtypes an engine of engine_registry.h accepts, in preference order (used to break ties).
// @throws InputError for an unknown engine.
std::vector<StorageType> engine_dtype_menu(const std::string& engine, int head_dim);

// The menu restricted to `allowed` names (all of it when `allowed` is empty).
// @throws InputError naming the option and the engine's dtypes when a name is not on the menu.
std::vector<StorageType> restrict_menu(const std::vector<StorageType>& menu, const std::vector<std::string>& allowed,
                                       const std::string& engine);

}  // namespace kvt::interop
