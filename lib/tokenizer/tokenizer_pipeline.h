// Internal: the stages of a loaded tokenizer, in Hugging Face's order. Built by tokenizer_loader.cpp
// from tokenizer.json (or vocab.json + merges.txt), run by tokenizer.cpp. Not part of the public API.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/tokenizer/byte_level.h"

namespace kvt::tok {

// Error ids of this library (docs/errors.md, "Tokenizer and calibration").
enum TokenizerErrorId : int {
  kErrTokenizerPath = 700,      // input: path missing / no tokenizer files
  kErrTokenizerJson = 701,      // input: malformed tokenizer.json / vocab.json / merges.txt / config
  kErrTokenizerVocab = 702,     // input: vocabulary / merges inconsistent
  kErrTextNotUtf8 = 703,        // input: text to encode is not valid UTF-8
  kErrTokenIdRange = 704,       // input: id to decode outside the vocabulary
  kErrUnencodable = 705,        // input: character not encodable and no unk_token
  kErrRegex = 706,              // input: pre-tokenizer / normalizer regex does not compile
  kErrUnsupportedFeature = 700  // unsupported: a tokenizer.json feature that is not implemented
};

// The largest token id any tokenizer file may use (vocabulary, added tokens, post-processor): ids are int32 and
// vocab_size() = largest id + 1 must fit too. Larger ids are refused naming the field (input.701).
inline constexpr int64_t kMaxTokenId = (int64_t(1) << 30) - 1;

// One token of tokenizer.json's "added_tokens": matched in the raw text before anything else.
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;
  bool lstrip = false;      // swallow whitespace on the left
  bool rstrip = false;      // swallow whitespace on the right
  bool normalized = false;  // matched in normalized text instead of raw text
};

// Leftmost-longest matching of a set of strings (HF uses aho-corasick LeftmostLongest).
class AddedTokenMatcher {
 public:
  struct Piece {
    size_t begin, end;  // byte range in the text
    int32_t id;         // the added token's id, or -1 for ordinary text
  };
  void build(const std::vector<AddedToken>& tokens);
  bool empty() const { return tokens_.empty(); }
  // Splits text into ordinary stretches and added tokens (applying lstrip / rstrip); empty ordinary
  // stretches are dropped.
  std::vector<Piece> split(const std::string& text) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;  // sorted by byte
    int32_t token = -1;                                       // index into tokens_
  };
  std::vector<AddedToken> tokens_;
  std::vector<Node> nodes_;
  std::array<bool, 256> first_byte_{};
};

// tokenizer.json "normalizer": NFC/NFD/NFKC/NFKD, Prepend, Replace, Sequence.
class Normalizer {
 public:
  enum class Kind { kNfc, kNfd, kNfkc, kNfkd, kPrepend, kReplace };
  struct Step {
    Kind kind;
    std::string text;                          // Prepend: prefix; Replace: content
    std::string literal;                       // Replace with a String pattern
    std::shared_ptr<RegexPreTokenizer> regex;  // Replace with a Regex pattern
  };
  void add(Step step) { steps_.push_back(std::move(step)); }
  bool empty() const { return steps_.empty(); }
  std::string normalize(std::string text) const;

 private:
  std::vector<Step> steps_;
};

// tokenizer.json "pre_tokenizer": Split, ByteLevel (last only), Metaspace, Sequence.
class PreTokenizer {
 public:
  enum class Kind { kSplit, kByteLevel, kMetaspace };
  enum class Behavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };
  enum class PrependScheme { kAlways, kFirst, kNever };
  struct Step {
    Kind kind = Kind::kSplit;
    std::shared_ptr<RegexPreTokenizer> regex{};  // Split pattern; ByteLevel with use_regex: GPT-2's
    Behavior behavior = Behavior::kIsolated;
    bool invert = false;
    bool add_prefix_space = false;  // ByteLevel
    std::string replacement{};      // Metaspace ("▁")
    PrependScheme prepend_scheme = PrependScheme::kAlways;
    bool split = false;  // Metaspace
  };
  void add(Step step) { steps_.push_back(std::move(step)); }
  bool empty() const { return steps_.empty(); }
  // Whether a ByteLevel step ends the sequence: words stay raw bytes and the model maps them.
  bool byte_level() const { return !steps_.empty() && steps_.back().kind == Kind::kByteLevel; }
  // `at_start`: the text begins at offset 0 of the input (Metaspace prepend_scheme "first").
  void pre_tokenize(const std::string& text, bool at_start, std::vector<std::string>& words) const;

 private:
  std::vector<Step> steps_;
};

// tokenizer.json "model" of type BPE (plus GPT-2's vocab.json + merges.txt).
class BpeModel {
 public:
  struct Options {
    std::string unk_token;  // "" for none
    bool byte_fallback = false;
    bool fuse_unk = false;
    bool ignore_merges = false;
  };
  // @throws InputError (kErrTokenizerVocab) when a merge uses or produces a token not in the vocab.
  BpeModel(std::vector<std::string> id_to_token, std::unordered_map<std::string, int32_t> token_to_id,
           const std::vector<std::pair<std::string, std::string>>& merges, Options options, const std::string& where);

  // Appends the ids of one pre-tokenized word. `byte_level`: the word is raw bytes that the vocabulary
  // spells through GPT-2's byte map; otherwise it is text spelled as is.
  void encode_word(const std::string& word, bool byte_level, std::vector<int32_t>& out) const;

  int32_t token_to_id(const std::string& token) const;
  const std::string* id_to_token(int32_t id) const;
  size_t size() const { return id_to_token_.size(); }
  int32_t unk_id() const { return unk_id_; }
  bool fuse_unk() const { return options_.fuse_unk; }
  // Words may be cut before every "▁" that follows another character without changing the result:
  // no merge can produce a token spanning such a boundary (checked on the merges at load).
  bool can_split_before_metaspace() const { return split_before_metaspace_; }

 private:
  struct MergeValue {
    int32_t rank;
    int32_t merged_id;
  };
  void initial_symbols(const std::string& word, bool byte_level, std::vector<int32_t>& symbols) const;
  void apply_merges(std::vector<int32_t>& symbols) const;
  const MergeValue* find_merge(int32_t left, int32_t right) const;

  std::vector<std::string> id_to_token_;
  std::unordered_map<std::string, int32_t> token_to_id_;
  std::unordered_map<uint64_t, MergeValue> merges_;
  std::unordered_map<uint32_t, int32_t> code_point_ids_;  // single-character tokens
  std::array<int32_t, 256> byte_level_ids_;               // byte -> id of its byte-level character
  std::array<int32_t, 256> byte_fallback_ids_;            // byte -> id of "<0xNN>"
  Options options_;
  int32_t unk_id_ = -1;
  bool split_before_metaspace_ = false;

  // Per-word cache (HF and transformers.js cache too); guarded so encode() stays const and thread-safe.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_[2];  // [byte_level]
};

// tokenizer.json "decoder": ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence.
class Decoder {
 public:
  enum class Kind { kByteLevel, kMetaspace, kReplace, kByteFallback, kFuse, kStrip };
  struct Step {
    Kind kind = Kind::kByteLevel;
    std::string pattern{}, content{};  // Replace (literal), Metaspace (replacement), Strip (content)
    bool prepend = true;               // Metaspace: drop the leading space of the first token
    size_t start = 0, stop = 0;        // Strip
  };
  void add(Step step) { steps_.push_back(std::move(step)); }
  bool empty() const { return steps_.empty(); }
  bool has_byte_level() const {
    for (const Step& step : steps_)
      if (step.kind == Kind::kByteLevel) return true;
    return false;
  }
  std::string decode(std::vector<std::string> tokens) const;

 private:
  std::vector<Step> steps_;
};

// Everything a Tokenizer holds.
class Pipeline {
 public:
  std::string source_path;
  std::vector<AddedToken> added_tokens;
  AddedTokenMatcher raw_added;         // added tokens with normalized = false
  AddedTokenMatcher normalized_added;  // added tokens with normalized = true
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  std::unique_ptr<BpeModel> model;
  Decoder decoder;
  std::vector<int32_t> prefix_ids, suffix_ids;  // post-processor: added around the sequence
  std::unordered_map<int32_t, const AddedToken*> added_by_id;
  int64_t bos_id = -1, eos_id = -1;
  size_t vocab_size = 0;
};

// Builds the pipeline from a path (see Tokenizer::load).
std::shared_ptr<const Pipeline> load_pipeline(const std::string& path);
// Builds the pipeline from tokenizer.json's text, without a tokenizer_config.json (see Tokenizer::from_json_text).
std::shared_ptr<const Pipeline> load_pipeline_from_text(const std::string& text, const std::string& source_name);

}  // namespace kvt::tok
