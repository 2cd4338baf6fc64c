// Safetensors files: a memory-mapped, strictly validated reader and a writer.
// Format: u64 little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}},
// then the data section; offsets are relative to the data section.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lib/model/safetensors_layout.h"

namespace kvt::model {

class SafetensorsFile {
 public:
  // Maps and validates the file with the rules of the reference reader (safetensors/src/tensor.rs,
  // read_metadata and Metadata::validate): header length within the file and at most 100,000,000 bytes, JSON
  // parses, every dtype is a safetensors dtype, shape × dtype bits computed without overflow and a whole number
  // of bytes equal to the byte range, and the ranges, sorted, tile the data section exactly: no overlap, no hole,
  // no trailing bytes. Only a regular file is opened (a FIFO, device or directory is input.114, and the open
  // never blocks). @throws InputError naming the file (and the tensor).
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& header_json() const { return header_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find(const std::string& name) const;

  // A tensor aliasing the mapped bytes (read-only; F32/F16/BF16 only). @throws UnsupportedError 201 otherwise.
  at::Tensor view(const TensorInfo& info) const;
  // Drops the mapped pages of a tensor from memory (they are re-read from the file if touched again).
  void release(const TensorInfo& info) const;

 private:
  std::string path_;
  std::string header_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  const uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  size_t data_offset_ = 0;
};

// Writes tensors (F32/F16/BF16, contiguous CPU copies are made as needed) in the given order.
// metadata goes to "__metadata__". Written to a temporary file and renamed.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {}, bool force = true);

}  // namespace kvt::model
