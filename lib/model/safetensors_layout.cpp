#include "lib/model/safetensors_layout.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"

namespace kvt::model {

namespace {

// The safetensors Dtype enum and Dtype::bitsize() (huggingface/safetensors safetensors/src/tensor.rs at
// 24b0b2857fef49be734b9ab72ce97c09bb25f5b9), in the enum's order.
const std::vector<std::pair<std::string, int>>& dtype_bits() {
  static const std::vector<std::pair<std::string, int>> bits = {
      {"BOOL", 8},    {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},     {"U8", 8},          {"I8", 8},
      {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8}, {"I16", 16},
      {"U16", 16},    {"F16", 16},    {"BF16", 16},   {"I32", 32},        {"U32", 32},        {"F32", 32},
      {"C64", 64},    {"F64", 64},    {"I64", 64},    {"U64", 64}};
  return bits;
}

// The reference reader's limit on the header (MAX_HEADER_SIZE in safetensors/src/tensor.rs).
constexpr uint64_t kMaxHeaderBytes = 100000000;

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

int safetensors_dtype_bits(const std::string& dtype) {
  for (const auto& [name, bits] : dtype_bits())
    if (name == dtype) return bits;
  return 0;
}

std::string safetensors_dtype_list() {
  std::string out;
  for (const auto& d : dtype_bits()) out += (out.empty() ? "" : ", ") + d.first;
  return out;
}

bool is_weight_dtype(const std::string& dtype) { return dtype == "F32" || dtype == "F16" || dtype == "BF16"; }

SafetensorsLayout parse_safetensors_layout(const uint8_t* data, size_t size, const std::string& path) {
  if (size < 8)
    throw InputError(path + ": file too short for a safetensors header (" + std::to_string(size) + " bytes)", 302);
  SafetensorsLayout layout;
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | data[i];
  if (header_len > kMaxHeaderBytes)
    throw InputError(path + ": header length " + std::to_string(header_len) + " exceeds the safetensors limit of " +
                         std::to_string(kMaxHeaderBytes) + " bytes",
                     314);
  if (header_len > size - 8)
    throw InputError(
        path + ": header length " + std::to_string(header_len) + " exceeds the file size " + std::to_string(size), 303);
  layout.header_json.assign(reinterpret_cast<const char*>(data + 8), header_len);
  layout.data_offset = 8 + header_len;
  const uint64_t data_size = size - layout.data_offset;

  // serde_json's recursion limit; nlohmann also refuses a header that is not UTF-8, as the reference does.
  const nlohmann::json j = parse_json(layout.header_json, path + ": header", 304);
  if (!j.is_object()) throw InputError(path + ": header is not a JSON object", 304);

  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {  // the reference reader's Option<HashMap<String, String>>
      const auto& m = it.value();
      if (!m.is_null() && !m.is_object())
        throw InputError(path + ": __metadata__ must be an object of strings, got " + std::string(m.type_name()), 316);
      if (m.is_object())
        for (auto kv = m.begin(); kv != m.end(); ++kv)
          if (!kv.value().is_string())
            throw InputError(path + ": __metadata__['" + kv.key() + "'] must be a string, got " +
                                 std::string(kv.value().type_name()),
                             316);
      continue;
    }
    const std::string& name = it.key();
    const auto& e = it.value();
    auto where = path + ": tensor '" + name + "'";
    if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
      throw InputError(where + ": entry needs dtype, shape and data_offsets", 305);
    TensorInfo info;
    info.name = name;
    if (!e["dtype"].is_string()) throw InputError(where + ": dtype is not a string", 305);
    info.dtype = e["dtype"].get<std::string>();
    const int bits = safetensors_dtype_bits(info.dtype);
    if (bits == 0)
      throw InputError(
          where + ": unknown dtype '" + info.dtype + "' (safetensors dtypes: " + safetensors_dtype_list() + ")", 306);
    if (!e["shape"].is_array()) throw InputError(where + ": shape is not an array", 305);
    // Elements and bits in u64 with every product checked, as the reference reader's checked_mul.
    uint64_t count = 1;
    bool overflow = false;
    for (const auto& d : e["shape"]) {
      if (!d.is_number_unsigned())
        throw InputError(where + ": shape has a non-integer or negative dimension " + d.dump(), 305);
      const uint64_t dim = d.get<uint64_t>();
      if (dim > uint64_t(INT64_MAX))
        throw InputError(
            where + ": shape dimension " + std::to_string(dim) + " does not fit in a signed 64-bit integer", 311);
      info.shape.push_back(int64_t(dim));
      overflow = overflow || __builtin_mul_overflow(count, dim, &count);
    }
    uint64_t total_bits = 0;
    if (overflow || __builtin_mul_overflow(count, uint64_t(bits), &total_bits))
      throw InputError(
          where + ": shape " + shape_text(info.shape) + " of " + info.dtype + " overflows a 64-bit byte count", 311);
    if (total_bits % 8 != 0)
      throw InputError(where + ": shape " + shape_text(info.shape) + " of " + info.dtype + " is " +
                           std::to_string(total_bits) + " bits, not a whole number of bytes",
                       315);
    const uint64_t bytes = total_bits / 8;
    const auto& off = e["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw InputError(where + ": data_offsets must be two non-negative integers", 305);
    info.begin = off[0].get<uint64_t>();
    info.end = off[1].get<uint64_t>();
    if (info.end < info.begin) throw InputError(where + ": data_offsets end before they begin", 307);
    if (info.end - info.begin != bytes)
      throw InputError(where + ": shape × dtype size is " + std::to_string(bytes) + " bytes but data_offsets span " +
                           std::to_string(info.end - info.begin),
                       308);
    if (info.end > data_size)
      throw InputError(where + ": data_offsets end at " + std::to_string(info.end) + ", past the data section (" +
                           std::to_string(data_size) + " bytes)",
                       309);
    layout.tensors.push_back(std::move(info));
  }
  // Sorted by (begin, end), the byte ranges must tile the data section from 0 to its end (the reference
  // reader: each tensor starts where the previous one ends, and the last one ends at the end of the file).
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : layout.tensors) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->begin < b->begin || (a->begin == b->begin && a->end < b->end);
  });
  uint64_t covered = 0;
  const TensorInfo* prev = nullptr;
  for (const TensorInfo* cur : by_offset) {
    if (cur->begin < covered)
      throw InputError(path + ": tensor '" + cur->name + "' overlaps tensor '" + prev->name + "' (it starts at byte " +
                           std::to_string(cur->begin) + " of the data section, before byte " + std::to_string(covered) +
                           " where '" + prev->name + "' ends)",
                       310);
    if (cur->begin > covered)
      throw InputError(path + ": tensor '" + cur->name + "' starts at byte " + std::to_string(cur->begin) +
                           " of the data section, leaving bytes " + std::to_string(covered) + ".." +
                           std::to_string(cur->begin) + " unused (tensors must be contiguous)",
                       312);
    covered = cur->end;
    prev = cur;
  }
  if (covered != data_size)
    throw InputError(
        path + ": " + std::to_string(data_size - covered) + " trailing bytes after " +
            (prev ? "the last tensor '" + prev->name + "'" : std::string("the header, which lists no tensor")) +
            " (the data section must end where the last tensor ends)",
        313);
  return layout;
}

std::map<std::string, std::string> parse_safetensors_index(const std::string& text, const std::string& source) {
  const nlohmann::json j = parse_json(text, source, 330);
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    throw InputError(source + ": missing object 'weight_map'", 330);
  std::map<std::string, std::string> expected_file;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) throw InputError(source + ": weight_map['" + it.key() + "'] is not a file name", 330);
    std::string file = it.value().get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file.find("..") != std::string::npos ||
        file.find('\0') != std::string::npos)
      throw InputError(source + ": weight_map['" + it.key() + "'] names a file outside the model directory", 330);
    expected_file[it.key()] = file;
  }
  return expected_file;
}

}  // namespace kvt::model
