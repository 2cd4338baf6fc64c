#include "lib/model/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/output.h"

namespace kvt::model {

namespace {

const std::map<std::string, size_t>& dtype_sizes() {
  static const std::map<std::string, size_t> sizes = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},
      {"U8", 1},  {"U16", 2}, {"U32", 4}, {"U64", 8},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
  return sizes;
}

c10::ScalarType scalar_type_of(const std::string& dtype) {
  if (dtype == "F32") return at::kFloat;
  if (dtype == "F16") return at::kHalf;
  if (dtype == "BF16") return at::kBFloat16;
  return c10::ScalarType::Undefined;
}

std::string dtype_name_of(c10::ScalarType t) {
  if (t == at::kFloat) return "F32";
  if (t == at::kHalf) return "F16";
  if (t == at::kBFloat16) return "BF16";
  return "";
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  auto it = dtype_sizes().find(dtype);
  return it == dtype_sizes().end() ? 0 : it->second;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno), 301);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw InputError(path + ": cannot stat: " + std::strerror(errno), 301);
  }
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw InputError(path + ": file too short for a safetensors header (" + std::to_string(map_size_) + " bytes)", 302);
  }
  void* p = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw InputError(path + ": cannot map: " + std::strerror(errno), 301);
  map_ = static_cast<const uint8_t*>(p);

  try {
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | map_[i];
    if (header_len > map_size_ - 8)
      throw InputError(path + ": header length " + std::to_string(header_len) + " exceeds the file size " +
                           std::to_string(map_size_), 303);
    header_.assign(reinterpret_cast<const char*>(map_ + 8), header_len);
    data_offset_ = 8 + header_len;
    const uint64_t data_size = map_size_ - data_offset_;

    nlohmann::json j;
    try {
      j = nlohmann::json::parse(header_);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path + ": header is not valid JSON: " + e.what(), 304);
    }
    if (!j.is_object()) throw InputError(path + ": header is not a JSON object", 304);

    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "__metadata__") continue;
      const std::string& name = it.key();
      const auto& e = it.value();
      auto where = path + ": tensor '" + name + "'";
      if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
        throw InputError(where + ": entry needs dtype, shape and data_offsets", 305);
      TensorInfo info;
      info.name = name;
      if (!e["dtype"].is_string()) throw InputError(where + ": dtype is not a string", 305);
      info.dtype = e["dtype"].get<std::string>();
      size_t elem = safetensors_dtype_size(info.dtype);
      if (elem == 0) throw InputError(where + ": unknown dtype '" + info.dtype + "'", 306);
      if (!e["shape"].is_array()) throw InputError(where + ": shape is not an array", 305);
      uint64_t count = 1;
      for (const auto& d : e["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0)
          throw InputError(where + ": shape has a non-integer or negative dimension", 305);
        info.shape.push_back(d.get<int64_t>());
        count *= static_cast<uint64_t>(d.get<int64_t>());
      }
      const auto& off = e["data_offsets"];
      if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        throw InputError(where + ": data_offsets must be two non-negative integers", 305);
      info.begin = off[0].get<uint64_t>();
      info.end = off[1].get<uint64_t>();
      if (info.end < info.begin) throw InputError(where + ": data_offsets end before they begin", 307);
      if (info.end - info.begin != count * elem)
        throw InputError(where + ": shape × dtype size is " + std::to_string(count * elem) +
                             " bytes but data_offsets span " + std::to_string(info.end - info.begin), 308);
      if (info.end > data_size)
        throw InputError(where + ": data_offsets end at " + std::to_string(info.end) +
                             ", past the data section (" + std::to_string(data_size) + " bytes)", 309);
      tensors_.push_back(std::move(info));
    }
    std::vector<const TensorInfo*> by_offset;
    for (const auto& t : tensors_) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const TensorInfo* prev = by_offset[i - 1];
      const TensorInfo* cur = by_offset[i];
      if (cur->begin < prev->end && cur->end > cur->begin && prev->end > prev->begin)
        throw InputError(path + ": tensor '" + cur->name + "' overlaps tensor '" + prev->name + "'", 310);
    }
    for (size_t i = 0; i < tensors_.size(); ++i) index_[tensors_[i].name] = i;
  } catch (...) {
    ::munmap(const_cast<uint8_t*>(map_), map_size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), map_size_);
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

at::Tensor SafetensorsFile::view(const TensorInfo& info) const {
  auto type = scalar_type_of(info.dtype);
  if (type == c10::ScalarType::Undefined)
    throw UnsupportedError(path_ + ": tensor '" + info.name + "' has dtype " + info.dtype +
                               "; weights must be F32, F16 or BF16", 201);
  void* data = const_cast<uint8_t*>(map_ + data_offset_ + info.begin);
  return at::from_blob(data, info.shape, at::TensorOptions().dtype(type));
}

void SafetensorsFile::release(const TensorInfo& info) const {
  // Page-align inward-out: drop every page that lies in the tensor's range.
  const long page = ::sysconf(_SC_PAGESIZE);
  uintptr_t start = reinterpret_cast<uintptr_t>(map_ + data_offset_ + info.begin);
  uintptr_t stop = reinterpret_cast<uintptr_t>(map_ + data_offset_ + info.end);
  uintptr_t aligned = (start + page - 1) / page * page;
  if (stop > aligned) ::madvise(reinterpret_cast<void*>(aligned), stop - aligned, MADV_DONTNEED);
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata, bool force) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    std::string dtype = dtype_name_of(tensor.scalar_type());
    if (dtype.empty()) throw UnsupportedError(path + ": tensor '" + name + "': only F32, F16 and BF16 can be written", 202);
    auto t = tensor.detach().to(at::kCPU).contiguous();
    uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(t);
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text += ' ';  // align the data section to 8 bytes
  std::string out;
  out.reserve(8 + text.size() + offset);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += text;
  for (const auto& t : contiguous) out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  write_file_atomic(path, out, force);
}

}  // namespace kvt::model
