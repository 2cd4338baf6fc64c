// Hugging Face tokenizers in C++: tokenizer.json (byte-level BPE as in GPT-2 / Llama-3 / Qwen2-3, and
// SentencePiece-style BPE with byte fallback as in Llama-2 / Mistral / TinyLlama), plus GPT-2's older
// vocab.json + merges.txt form. Encoding follows the Hugging Face pipeline: added tokens are matched
// first, then normalizer -> pre-tokenizer -> BPE model -> post-processor (BOS/EOS). See docs/tokenizer.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kvt::tok {

class Pipeline;  // the loaded normalizer / pre-tokenizer / model / decoder (tokenizer_pipeline.h)

class Tokenizer {
 public:
  // Loads from `path`: a tokenizer.json file, a directory holding tokenizer.json (a model directory),
  // or a directory holding vocab.json + merges.txt (also accepted: encoder.json + vocab.bpe, the names
  // of OpenAI's original GPT-2 release). tokenizer_config.json beside the files, when present, gives
  // bos_token / eos_token / add_bos_token / add_eos_token.
  // @throws kvt::InputError when files are missing or malformed (naming file and field),
  //         kvt::UnsupportedError naming the tokenizer.json feature that is not implemented.
  static Tokenizer load(const std::string& path);
  // The same for a tokenizer.json given as text, without tokenizer_config.json (BOS / EOS come from the
  // post_processor only); `source_name` names it in errors. Every limit of load() applies: JSON nested deeper
  // than 128 levels (kMaxJsonDepth, lib/core/json_limits.h) and ids outside 0..2^30-1 are input.701.
  static Tokenizer from_json_text(const std::string& text, const std::string& source_name);

  // Text -> token ids. Added and special tokens written in the text (e.g. "<|im_end|>") become their
  // ids, as in Hugging Face. `add_special` adds BOS/EOS the way the model's own tokenizer does:
  // tokenizer_config.json's add_bos_token / add_eos_token when present, else tokenizer.json's
  // post_processor template.
  // @throws kvt::InputError when `text` is not valid UTF-8 (naming the byte offset).
  std::vector<int64_t> encode(const std::string& text, bool add_special) const;

  // Token ids -> text, through tokenizer.json's decoder (byte-level, or ▁ -> space + byte fallback).
  // Special tokens are written out unless `skip_special`. Invalid UTF-8 produced by a partial byte
  // sequence decodes to U+FFFD, as in Hugging Face.
  // @throws kvt::InputError naming the first id outside [0, vocab_size()).
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const;

  // The vocabulary string of one id (byte-level text such as "Ġthe", or "<0x0A>"); "" when unknown.
  std::string id_to_token(int64_t id) const;
  // The id of a vocabulary or added token, or -1.
  int64_t token_to_id(const std::string& token) const;

  // -1 when the tokenizer defines none (e.g. GPT-2's vocab.json form without tokenizer_config.json).
  int64_t bos_id() const;
  int64_t eos_id() const;
  int64_t unk_id() const;
  // One past the largest id (model vocabulary and added tokens together).
  size_t vocab_size() const;
  // Whether encode(text, true) starts with bos_id().
  bool adds_bos() const;
  // The file the tokenizer was read from (tokenizer.json, vocab.json or encoder.json), for reports.
  const std::string& source_path() const;

 private:
  explicit Tokenizer(std::shared_ptr<const Pipeline> pipeline);
  std::shared_ptr<const Pipeline> pipeline_;
};

}  // namespace kvt::tok
