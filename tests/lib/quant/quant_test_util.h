// Small helpers shared by the lib/quant tests. Include this first in a test file, instead of catch.hpp:
// Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#pragma once
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace kvt::test {

// Reproducible standard-normal fp32 tensor.
inline at::Tensor random_normal(std::vector<int64_t> shape, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn(shape, gen, at::TensorOptions().dtype(at::kFloat));
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace kvt::test
