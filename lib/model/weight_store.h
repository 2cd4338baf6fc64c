// Name → tensor lookup over one or several memory-mapped safetensors files.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/model/safetensors.h"

namespace kvt::model {

class WeightStore {
 public:
  // Opens model.safetensors, or every shard named in model.safetensors.index.json. @throws InputError.
  explicit WeightStore(const std::string& model_dir);

  // @throws InputError naming the tensor (and the file that should hold it) when absent.
  const TensorInfo& info(const std::string& name) const;
  bool contains(const std::string& name) const { return location_.count(name) > 0; }
  // Aliases the mapped bytes; copy before releasing.
  at::Tensor view(const std::string& name) const;
  void release(const std::string& name) const;
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }
  const std::string& source_of(const std::string& name) const;

 private:
  std::string model_dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, std::pair<size_t, const TensorInfo*>> location_;
};

}  // namespace kvt::model
