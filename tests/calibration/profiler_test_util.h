// Helpers shared by the profiler tests. Include this first in a test file, instead of catch.hpp:
// Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#pragma once
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace kvt::test {

inline at::Tensor normal_tensor(std::vector<int64_t> shape, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn(shape, gen, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace kvt::test
