// What an engine needs to run the flags an export emits: versions (or unmerged pull requests) and hardware.
// Each line was checked against the engine's own source or documentation; the flag spellings themselves are
// pinned, with the same sources, in tests/search/test_export_engine_flags.cpp. Re-check both together.
#pragma once

namespace kvt::interop::requirement {

// vLLM. Flags: vllm/config/cache.py (CacheConfig.cache_dtype, kv_cache_dtype_skip_layers) and
// docs/features/quantization/quantized_kvcache.md ("--kv-cache-dtype-skip-layers 0 1 23").
inline constexpr const char* kVllmFp8 = "vllm fp8 KV cache: CUDA 11.8+ (vllm/config/cache.py, cache_dtype)";
inline constexpr const char* kVllmSkipLayers =
    "vllm --kv-cache-dtype-skip-layers: a vLLM release with PR #33695 (the flag; layer indices, space-separated)";
inline constexpr const char* kVllmNvfp4 =
    "vllm nvfp4 KV cache: a vLLM release with PR #40177 (merged 2026-04) on an FP4-capable datacenter Blackwell "
    "GPU (SM100: B200/GB200/B300, FlashInfer trtllm-gen); consumer Blackwell (SM120, RTX 50xx/PRO 6000) had no "
    "upstream nvfp4 KV path when checked (PRs #46329, #54772 open); otherwise pass --engine-dtypes fp8";
inline constexpr const char* kVllmNvfp4SkipLayers =
    "vllm nvfp4 with --kv-cache-dtype-skip-layers: a vLLM release with PR #42890 (merged 2026-05; before it the "
    "unquantized layers' pages could not be unified with nvfp4 pages)";

// SGLang. python/sglang/srt/server_args.py: --kv-cache-dtype choices auto, fp8_e5m2, fp8_e4m3, bf16, bfloat16,
// fp4_e2m1; docs/advanced_features/quantized_kv_cache.md (FP4 experimental, blocks of 16, 8-bit scale).
inline constexpr const char* kSglangFp8 = "sglang fp8_e4m3 KV cache: CUDA 11.8+ (server_args.py)";
inline constexpr const char* kSglangFp4 =
    "sglang fp4_e2m1 KV cache (experimental): CUDA 12.8+ and PyTorch 2.8.0+ (server_args.py); an attention backend "
    "with fused FP4 dequantization (docs/advanced_features/quantized_kv_cache.md)";
inline constexpr const char* kSglangPerLayer =
    "sglang --kv-cache-per-layer-dtype is not in upstream SGLang: PRs #15420 and #17530 were closed unmerged; it "
    "needs a build carrying them";

// TensorRT-LLM. tensorrt_llm/llmapi/llm_args.py: KvCacheConfig.dtype ("auto", "fp8", "nvfp4"), a PyTorch-backend
// field; trtllm-serve reads LLM API options from --config FILE (alias --extra_llm_api_options).
inline constexpr const char* kTrtllmPytorch =
    "tensorrt-llm kv_cache_config.dtype: the PyTorch backend (LLM API, or trtllm-serve --config FILE); the "
    "TensorRT engine backend ignores it";
inline constexpr const char* kTrtllmNvfp4 = "tensorrt-llm nvfp4 KV cache: a Blackwell GPU (SM100)";
inline constexpr const char* kTrtllmPerLayer =
    "tensorrt-llm per-layer kv_cache_config.dtype (\"0-3:fp8,...\"): PR #13695 (open when checked), not in a release";

// llama.cpp. tools/server/README.md and common/arg.cpp: -ctk/-ctv allowed values f32, f16, bf16, q8_0, q4_0, q4_1,
// iq4_nl, q5_0, q5_1; "-fa, --flash-attn [on|off|auto]" (default auto). A quantized V cache needs flash attention.
inline constexpr const char* kLlamaCppFlashAttn =
    "llama.cpp -fa on: build b6327 (2025-08) or later, where -fa takes on|off|auto; older builds take a bare -fa "
    "and newer ones refuse it";

// ik_llama.cpp. common/common.cpp: -ctk/-ctv, --cache-type-{k,v}-{first,last} TYPE,N, -fa (auto|on|off|0|1).
inline constexpr const char* kIkFirstLast =
    "ik_llama.cpp --cache-type-{k,v}-{first,last} TYPE,N: PR #1599 (merged 2026-04-09) or later";
inline constexpr const char* kIkFlashAttn =
    "ik_llama.cpp -fa on: PR #944 (2025-11) or later (flash attention is on by default since PR #863)";

// LMDeploy. lmdeploy/cli/utils.py and lmdeploy/messages.py (QuantPolicy: 0, 4, 8, 16, 17, 42);
// docs/en/quantization/kv_quant.md (online int4/int8 KV since v0.4.0; GPUs sm70 to sm90 listed).
inline constexpr const char* kLmdeployQuant =
    "lmdeploy --quant-policy 4/8: LMDeploy 0.4.0+ (online per-head, per-token int4/int8 KV); docs list NVIDIA "
    "sm70 to sm90 (V100 to H200)";

}  // namespace kvt::interop::requirement
