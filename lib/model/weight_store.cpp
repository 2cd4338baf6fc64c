#include "lib/model/weight_store.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/output.h"

namespace fs = std::filesystem;

namespace kvt::model {

WeightStore::WeightStore(const std::string& model_dir) : model_dir_(model_dir) {
  fs::path dir(model_dir);
  fs::path single = dir / "model.safetensors";
  fs::path index = dir / "model.safetensors.index.json";
  std::map<std::string, std::string> expected_file;  // tensor → shard (sharded models only)
  std::vector<std::string> shards;
  if (fs::exists(single)) {
    shards.push_back(single.string());
  } else if (fs::exists(index)) {
    expected_file = parse_safetensors_index(read_file(index.string()), index.string());
    std::set<std::string> names;
    for (const auto& [tensor, file] : expected_file) names.insert(file);
    for (const auto& n : names) {
      fs::path p = dir / n;
      if (!fs::exists(p))
        throw InputError(p.string() + ": shard listed in model.safetensors.index.json is missing", 331);
      shards.push_back(p.string());
    }
  } else {
    throw InputError(model_dir + ": no model.safetensors or model.safetensors.index.json", 331);
  }
  for (const auto& path : shards) {
    files_.push_back(std::make_unique<SafetensorsFile>(path));
    size_t fi = files_.size() - 1;
    for (const auto& t : files_.back()->tensors()) {
      if (location_.count(t.name))
        throw InputError(path + ": tensor '" + t.name + "' also appears in " + files_[location_[t.name].first]->path(),
                         332);
      location_[t.name] = {fi, &t};
    }
  }
  for (const auto& [name, file] : expected_file) {
    auto it = location_.find(name);
    std::string want = (dir / file).string();
    if (it == location_.end())
      throw InputError(want + ": tensor '" + name + "' listed in the index is missing from the shard", 333);
    if (files_[it->second.first]->path() != want)
      throw InputError(files_[it->second.first]->path() + ": tensor '" + name + "' is indexed in " + file, 333);
  }
}

const TensorInfo& WeightStore::info(const std::string& name) const {
  auto it = location_.find(name);
  if (it == location_.end())
    throw InputError(model_dir_ + ": tensor '" + name + "' is missing from the safetensors files", 334);
  return *it->second.second;
}

const std::string& WeightStore::source_of(const std::string& name) const {
  info(name);
  return files_[location_.at(name).first]->path();
}

at::Tensor WeightStore::view(const std::string& name) const {
  const auto& loc = location_.at(info(name).name);
  return files_[loc.first]->view(*loc.second);
}

void WeightStore::release(const std::string& name) const {
  const auto& loc = location_.at(info(name).name);
  files_[loc.first]->release(*loc.second);
}

}  // namespace kvt::model
