// Helpers shared by the profiler tests. Include this first in a test file, instead of catch.hpp:
// Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#pragma once
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "tests/support/fixture_model.h"

namespace kvt::test {

inline at::Tensor normal_tensor(std::vector<int64_t> shape, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn(shape, gen, at::TensorOptions().dtype(at::kFloat));
}

// The profiler tests' fixture: 3 layers, 4 query heads sharing 2 KV heads of head_dim 32 (KIVI's group size
// divides it), peaky enough attention that quantization errors differ between layers.
inline FixtureSpec profiler_fixture_spec(uint64_t seed) {
  FixtureSpec spec;
  spec.layers = 3;
  spec.hidden = 64;
  spec.heads = 4;
  spec.kv_heads = 2;
  spec.head_dim = 32;
  spec.attention_scale = 0.5;
  spec.seed = seed;
  return spec;
}

}  // namespace kvt::test
