// kvtuner-search types [--head-dim D]
// Lists the KV-cache types of inference engines that lib/quant reproduces (lib/quant/kv_types.h,
// docs/engine-types.md): name (the engine's spelling), block size along head_dim, storage bits per element at
// head_dim D (codes plus block parameters; "-" when D is not a multiple of the block) and a one-line
// description. Plain text, one type per line, in registry order.
//
// kvtuner-search types --engine E [--head-dim D | --model DIR] [--kv-memory SIZE]
// The search candidates of engine E (search/interop/engine_candidates.h, docs/engine-types.md §8): a line
// naming the engine's shape, then one line per candidate: family, candidate name, bits per element; with
// --model the KV bytes per token of the uniform config (every layer at that candidate), with --kv-memory also
// the tokens of context that fit. `hf` lists the default integer pairs under the default scheme.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/error.h"
#include "lib/model/model_config.h"
#include "lib/quant/kv_types.h"
#include "lib/quant/scheme_registry.h"
#include "lib/report/format.h"
#include "search/interop/engine_candidates.h"

namespace kvt::app {

namespace {

std::string block_text(const quant::KvType& t) {
  switch (t.granularity) {
    case quant::KvGranularity::PerTensor:
      return "tensor";
    case quant::KvGranularity::PerTokenHead:
      return "token-head";
    case quant::KvGranularity::PerBlock:
      break;
  }
  return std::to_string(t.block_size);
}

void run_types(int head_dim) {
  if (head_dim < 1) throw InputError("--head-dim: must be at least 1, got " + std::to_string(head_dim), 434);
  size_t name_width = 4;
  for (const auto& t : quant::kv_types()) name_width = std::max(name_width, t.name.size());
  std::printf("%-*s  %-10s  %-9s  %s\n", int(name_width), "name", "block", "bits/elem", "description");
  for (const auto& t : quant::kv_types()) {
    const bool fits = t.block_size <= 1 || head_dim % t.block_size == 0;
    const std::string bits = fits ? report::format_significant(t.bits_per_element(head_dim), 6) : "-";
    std::printf("%-*s  %-10s  %-9s  %s\n", int(name_width), t.name.c_str(), block_text(t).c_str(), bits.c_str(),
                t.help.c_str());
  }
}

struct EngineListing {
  std::string engine, model_dir, kv_memory;
  int head_dim = 128;
  bool head_dim_given = false;
};

std::string shape_text(const interop::EngineConstraints& e) {
  std::string scope = e.integer_pairs             ? "per layer"
                      : e.skip_layers_unquantized ? "one quantized type, each layer may stay at " + e.unquantized
                      : e.scope == interop::LayerScope::Global ? "global (one candidate for every layer)"
                                                               : "per layer";
  return e.name + ": " + scope + ", " + (e.key_equals_value ? "K = V" : "K != V") + "; " + e.help;
}

void run_engine_listing(const EngineListing& opt) {
  const interop::EngineConstraints& engine = interop::find_search_engine(opt.engine, "--engine");
  int head_dim = opt.head_dim, kv_heads = 0, layers = 0;
  if (!opt.model_dir.empty()) {
    if (opt.head_dim_given) throw InputError("--head-dim: not with --model (config.json gives head_dim)", 434);
    model::ModelConfig shape = model::load_model_config(opt.model_dir);
    head_dim = shape.head_dim, kv_heads = shape.num_kv_heads, layers = shape.num_layers;
  }
  if (head_dim < 1) throw InputError("--head-dim: must be at least 1, got " + std::to_string(head_dim), 434);
  std::optional<uint64_t> memory;
  if (!opt.kv_memory.empty()) {
    memory = interop::parse_memory_size(opt.kv_memory, "--kv-memory");
    if (layers == 0) throw InputError("--kv-memory: needs --model (the KV heads, head_dim and layers)", 438);
  }
  const quant::QuantScheme scheme = quant::lookup_scheme(quant::kDefaultSchemeName);
  interop::SchemeStorage storage{{scheme.key.effective_group_size(head_dim), scheme.key.symmetric},
                                 {scheme.value.effective_group_size(head_dim), scheme.value.symmetric}};
  auto families = interop::candidate_families(engine, head_dim, default_candidate_pairs(), storage);
  std::printf("%s\n", shape_text(engine).c_str());
  std::printf("%-18s  %-18s  %-9s", "family", "candidate", "bits/elem");
  if (layers > 0) std::printf("  %-12s", "bytes/token");
  if (memory) std::printf("  tokens in %s", opt.kv_memory.c_str());
  std::printf("\n");
  for (const auto& f : families) {
    for (const auto& c : f.candidates) {
      std::printf("%-18s  %-18s  %-9s", f.label.c_str(), c.name().c_str(),
                  report::format_significant(c.bits_per_element(), 6).c_str());
      if (layers > 0) {
        const double bytes =
            interop::kv_bytes_per_token(std::vector<interop::KvCandidate>(size_t(layers), c), kv_heads, head_dim);
        std::printf("  %-12s", report::format_significant(bytes, 8).c_str());
        if (memory) std::printf("  %lld", static_cast<long long>(interop::max_context_tokens(bytes, *memory)));
      }
      std::printf("\n");
    }
  }
}

}  // namespace

void register_types(CLI::App& app) {
  auto head_dim = std::make_shared<int>(128);
  auto* cmd = app.add_subcommand("types",
                                 "List the KV-cache types of inference engines (fp8, nvfp4, LMDeploy int8/int4, "
                                 "llama.cpp q8_0...iq4_nl) with their block size and storage bits per element");
  auto listing = std::make_shared<EngineListing>();
  cmd->add_option("--head-dim", *head_dim, "head_dim for the bits per element (default 128)");
  std::string names;
  for (const auto& n : interop::search_engine_names()) names += (names.empty() ? "" : ", ") + n;
  auto* engine = cmd->add_option("--engine", listing->engine,
                                 "List this engine's search candidates and their memory instead: " + names);
  cmd->add_option("--model", listing->model_dir, "With --engine: model directory (KV heads, head_dim, layers)")
      ->needs(engine);
  cmd->add_option("--kv-memory", listing->kv_memory,
                  "With --engine and --model: KV-cache memory, e.g. 16GiB; prints the tokens of context that fit")
      ->needs(engine);
  cmd->callback([cmd, head_dim, listing] {
    if (listing->engine.empty()) return run_types(*head_dim);
    listing->head_dim = *head_dim;
    listing->head_dim_given = cmd->count("--head-dim") > 0;
    run_engine_listing(*listing);
  });
}

}  // namespace kvt::app
