#include "lib/quant/streaming_cache.h"

#include "lib/core/error.h"
#include "lib/quant/streaming_quantizer.h"
#include "lib/quant/uniform_quantizer.h"

namespace kvt::quant {

StreamingTensorCache::StreamingTensorCache(TensorQuantSpec spec, int bits) : spec_(spec), bits_(bits) {
  check_quant_bits(bits, spec.symmetric);
}

void StreamingTensorCache::append(const at::Tensor& x) {
  if (x.dim() != 3) throw InputError("StreamingTensorCache::append: expected [H_kv, n, D]", 406);
  residual_ = residual_.defined() ? at::cat({residual_, x}, 1) : x;
}

void StreamingTensorCache::flush() {
  if (!residual_.defined() || bits_ == 16) return;
  // Blocks are aligned to multiples of the flush block from token 0, and quantized tokens always form
  // whole blocks, so the residual starts on a block boundary.
  const int64_t complete = quantized_token_count(spec_, residual_tokens());
  if (complete == 0) return;
  at::Tensor block = fake_quantize_kv(residual_.narrow(1, 0, complete), spec_, bits_);
  quantized_ = quantized_.defined() ? at::cat({quantized_, block}, 1) : block;
  residual_ = residual_.narrow(1, complete, residual_tokens() - complete);
}

at::Tensor StreamingTensorCache::view() const {
  if (!quantized_.defined()) return residual_;
  if (!residual_.defined() || residual_tokens() == 0) return quantized_;
  return at::cat({quantized_, residual_}, 1);
}

}  // namespace kvt::quant
