// Byte-level BPE training (GPT-2 style): the text is cut with the GPT-2 pre-tokenizer regex, each
// piece is a sequence of bytes, and the most frequent adjacent pair is merged until the vocabulary
// reaches its size. Deterministic: ties go to the pair whose (left, right) byte strings sort first.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kvt::train {

// The special token that separates documents; used as BOS and EOS.
inline constexpr const char* kEndOfText = "<|endoftext|>";

struct BpeVocabulary {
  // Token id → raw bytes. Ids 0..255 are the single bytes (id = byte value), then one token per merge
  // in merge order, then the special token <|endoftext|> as the last id.
  std::vector<std::string> token_bytes;
  std::vector<std::pair<int, int>> merges;  // merge i creates token 256 + i from (left, right)
  int end_of_text_id = -1;

  int size() const { return static_cast<int>(token_bytes.size()); }
};

struct BpeTrainOptions {
  int vocab_size = 4096;       // including the 256 byte tokens and <|endoftext|>
  int64_t min_pair_count = 2;  // stop early when no pair occurs this often
};

// @throws InputError when vocab_size < 258 (the bytes, one merge and the special token).
BpeVocabulary train_bpe(const std::vector<std::string>& texts, const BpeTrainOptions& options);

// Encodes text with the vocabulary's merges (lowest merge rank first, as Hugging Face's BPE does),
// after the GPT-2 pre-tokenizer. Independent of lib/tokenizer; used to tokenize the training data.
class BpeEncoder {
 public:
  explicit BpeEncoder(const BpeVocabulary& vocabulary);
  std::vector<int64_t> encode(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  std::vector<int64_t> encode_piece(const std::string& piece) const;
  const BpeVocabulary& vocabulary_;
  std::map<std::pair<int, int>, int> merge_rank_;
  mutable std::map<std::string, std::vector<int64_t>> cache_;
};

// The Hugging Face tokenizer.json: BPE model, ByteLevel pre-tokenizer (GPT-2 regex) and decoder,
// <|endoftext|> as an added special token.
nlohmann::json tokenizer_json(const BpeVocabulary& vocabulary);
// tokenizer_config.json: bos/eos/unk = <|endoftext|>, model_max_length = context.
nlohmann::json tokenizer_config_json(const BpeVocabulary& vocabulary, int context_length);

}  // namespace kvt::train
