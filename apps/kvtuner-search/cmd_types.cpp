// kvtuner-search types [--head-dim D]
// Lists the KV-cache types of inference engines that lib/quant reproduces (lib/quant/kv_types.h,
// docs/engine-types.md): name (the engine's spelling), block size along head_dim, storage bits per element at
// head_dim D (codes plus block parameters; "-" when D is not a multiple of the block) and a one-line
// description. Plain text, one type per line, in registry order.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/error.h"
#include "lib/quant/kv_types.h"
#include "lib/report/format.h"

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

}  // namespace

void register_types(CLI::App& app) {
  auto head_dim = std::make_shared<int>(128);
  auto* cmd = app.add_subcommand("types",
                                 "List the KV-cache types of inference engines (fp8, nvfp4, LMDeploy int8/int4, "
                                 "llama.cpp q8_0...iq4_nl) with their block size and storage bits per element");
  cmd->add_option("--head-dim", *head_dim, "head_dim for the bits per element (default 128)");
  cmd->callback([head_dim] { run_types(*head_dim); });
}

}  // namespace kvt::app
