// The export engines, one table: adding an engine is one file in engines/ (its dtype menu and projection)
// plus one line in engine_registry.cpp. `kvtuner-search export --to <name>` takes these names.
#pragma once
#include <string>
#include <vector>

#include "search/interop/engine_candidates.h"
#include "search/interop/engine_projection.h"
#include "search/interop/storage_type.h"

namespace kvt::interop {

struct EngineSpec {
  std::string name;  // the --to name: "vllm", "llama.cpp", ...
  std::string help;  // one line for docs and listings
  // The KV-cache dtypes the engine accepts, in preference order (used to break ties). `head_dim` matters
  // only where scales are per head and token (lmdeploy).
  std::vector<StorageType> (*dtype_menu)(int head_dim);
  // The engine settings for a searched config (one projection, or several for engine variants).
  std::vector<EngineProjection> (*project)(const EngineInput& input);
  // The --engine shapes this engine file declares for the search (engine_candidates.h): what KV-cache types
  // and config shape the engine runs. llama.cpp declares two (llama.cpp global, ik_llama.cpp per layer).
  std::vector<EngineConstraints> search_shapes;
};

// In table order: vllm, sglang, tensorrt-llm, llama.cpp, lmdeploy.
const std::vector<EngineSpec>& engines();
// @throws InputError (id 860) naming `option` and listing the engines when `name` is unknown.
const EngineSpec& find_engine(const std::string& name, const std::string& option = "--to");

}  // namespace kvt::interop
