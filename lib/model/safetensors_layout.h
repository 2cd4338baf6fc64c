// The torch-free part of the safetensors reader: the validating layout parser that SafetensorsFile runs on the
// mapped bytes, the dtype table, and the shard index (model.safetensors.index.json). Kept apart from LibTorch so the
// fuzz targets (tests/fuzz) and any other reader of untrusted headers build without it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kvt::model {

struct TensorInfo {
  std::string name;
  std::string dtype;  // one of the safetensors dtypes: "F32", "F16", "BF16", "I8", "F8_E4M3", "F4", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range within the data section
};

// Size in bits of one element of a safetensors dtype (F4 = 4, F6_E2M3 = 6, BF16 = 16, ...); 0 when the format
// has no such dtype. The table is the format's Dtype enum (huggingface/safetensors: safetensors/src/tensor.rs).
int safetensors_dtype_bits(const std::string& dtype);
// "BOOL, F4, F6_E2M3, ..." in the enum's order, for messages.
std::string safetensors_dtype_list();
// The dtypes kvtuner computes with (view() and the weights Model::open checks).
bool is_weight_dtype(const std::string& dtype);
inline constexpr const char* kWeightDtypes = "F32, F16, BF16";

// What the header of a safetensors file says: the header text, the tensors in header order, and where the data
// section starts (8 + header length).
struct SafetensorsLayout {
  std::string header_json;
  std::vector<TensorInfo> tensors;
  size_t data_offset = 0;
};

// Validates `size` bytes of a whole safetensors file (header and data section) with the rules of the reference
// reader (see SafetensorsFile) and returns its layout; `path` names the file in errors. Needs no LibTorch and
// reads nothing beyond data[0, size). Also: the header is UTF-8 JSON nested at most kMaxJsonDepth deep
// (lib/core/json_limits.h; serde_json's limit), and __metadata__ is null or an object of strings.
// @throws InputError 302-316 naming the file (and the tensor).
SafetensorsLayout parse_safetensors_layout(const uint8_t* data, size_t size, const std::string& path);

// model.safetensors.index.json's text → tensor name → shard file name. Each file name must be a plain name in the
// model directory (no '/', no "..", not empty). JSON nested deeper than kMaxJsonDepth is refused.
// @throws InputError 330 naming `source` (and the tensor).
std::map<std::string, std::string> parse_safetensors_index(const std::string& text, const std::string& source);

}  // namespace kvt::model
