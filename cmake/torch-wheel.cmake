# Building kvtuner against a LibTorch 2.x, in particular the one inside PyPI's torch wheel (a CUDA build) on a
# machine without a CUDA toolkit. Use: cmake ... -DTorch_DIR=<site-packages>/torch/share/cmake/Torch
#                              -DCMAKE_PROJECT_INCLUDE=<kvtuner>/cmake/torch-wheel.cmake
# (scripts/build-torch2.sh does this; docs/interop.md, "LibTorch 2.x", says why).
#
# 1. The wheel's Caffe2Config.cmake includes public/cuda.cmake, which needs nvcc and the CUDA headers
#    (find_package(CUDA), enable_language(CUDA)) only to define the imported target torch::cudart. kvtuner
#    compiles no CUDA code, so this file defines torch::cudart itself, on the CUDA runtime the wheel's own
#    nvidia-cuda-runtime dependency installed (cuda.cmake returns early when the target exists). The
#    binaries still link libtorch_cuda.so (the CUDA backend is there; --device cuda was not tried: no GPU).
# 2. Where Debian's libtorch-dev (1.13) is installed too, find_package/find_library would take Debian's
#    Caffe2Config.cmake and libc10.so before the wheel's (PATHS come after the system paths). Point both at
#    the wheel.
if(NOT Torch_DIR OR NOT EXISTS "${Torch_DIR}/TorchConfig.cmake")
  message(FATAL_ERROR "cmake/torch-wheel.cmake: -DTorch_DIR must name the folder of TorchConfig.cmake, e.g. "
                      "<site-packages>/torch/share/cmake/Torch (python -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' + /Torch)")
endif()
get_filename_component(KVT_TORCH_ROOT "${Torch_DIR}/../../.." ABSOLUTE)
get_filename_component(KVT_SITE_PACKAGES "${KVT_TORCH_ROOT}/.." ABSOLUTE)
set(Caffe2_DIR "${KVT_TORCH_ROOT}/share/cmake/Caffe2" CACHE PATH "Caffe2 of the torch wheel" FORCE)
list(PREPEND CMAKE_PREFIX_PATH "${KVT_TORCH_ROOT}")
# The wheel's CUDA runtime (site-packages/nvidia/cu13/lib for CUDA 13 wheels, nvidia/cuda_runtime/lib before).
# A standalone LibTorch has no site-packages/nvidia: then only step 2 applies (a CUDA one needs its toolkit).
file(GLOB KVT_WHEEL_CUDART "${KVT_SITE_PACKAGES}/nvidia/*/lib/libcudart.so.*")
if(KVT_WHEEL_CUDART AND NOT TARGET torch::cudart)
  list(GET KVT_WHEEL_CUDART 0 KVT_WHEEL_CUDART)
  add_library(torch::cudart INTERFACE IMPORTED)
  set_property(TARGET torch::cudart PROPERTY INTERFACE_LINK_LIBRARIES "${KVT_WHEEL_CUDART}")
  message(STATUS "kvtuner: LibTorch at ${KVT_TORCH_ROOT}, torch::cudart = ${KVT_WHEEL_CUDART}")
else()
  message(STATUS "kvtuner: LibTorch at ${KVT_TORCH_ROOT}")
endif()
