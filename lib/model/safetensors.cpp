#include "lib/model/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"

namespace kvt::model {

namespace {

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

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  // O_NONBLOCK: a FIFO must not block the open; anything but a regular file is refused before it is read.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno), 301);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw InputError(path + ": cannot stat: " + std::strerror(err), 301);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InputError(path + ": is " + file_type_name(st.st_mode) + ", expected a safetensors file", 114);
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
    SafetensorsLayout layout = parse_safetensors_layout(map_, map_size_, path);
    header_ = std::move(layout.header_json);
    tensors_ = std::move(layout.tensors);
    data_offset_ = layout.data_offset;
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
    throw UnsupportedError(path_ + ": tensor '" + info.name + "': dtype " + info.dtype +
                               " is not supported (supported: " + kWeightDtypes + ")",
                           201);
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
    if (dtype.empty())
      throw UnsupportedError(path + ": tensor '" + name + "': only F32, F16 and BF16 can be written", 202);
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
