// Tokenizer::encode / decode: runs the Pipeline stages in Hugging Face's order.
#include "lib/tokenizer/tokenizer.h"

#include "lib/core/error.h"
#include "lib/tokenizer/tokenizer_pipeline.h"
#include "lib/tokenizer/utf8.h"

namespace kvt::tok {

namespace {

const char* const kMetaspace = "\xE2\x96\x81";  // "▁"

// Collapses runs of the unk id in out[from..] into one (fuse_unk).
void fuse_unknowns(std::vector<int32_t>& out, size_t from, int32_t unk_id) {
  size_t write = from;
  for (size_t read = from; read < out.size(); ++read) {
    if (out[read] == unk_id && write > from && out[write - 1] == unk_id) continue;
    out[write++] = out[read];
  }
  out.resize(write);
}

// One pre-tokenized word through the model. A SentencePiece-style word (often a whole paragraph) is
// cut before each "▁" that follows another character when the merges allow it, so the pieces are
// cached like byte-level words; the result is the same (see BpeModel::can_split_before_metaspace).
void encode_model_word(const Pipeline& p, const std::string& word, std::vector<int32_t>& out) {
  const bool byte_level = p.pre_tokenizer.byte_level();
  const size_t before = out.size();
  if (byte_level || !p.model->can_split_before_metaspace()) {
    p.model->encode_word(word, byte_level, out);
  } else {
    size_t start = 0;
    for (size_t found = word.find(kMetaspace, 1); found != std::string::npos;
         found = word.find(kMetaspace, found + 3)) {
      if (found >= 3 && word.compare(found - 3, 3, kMetaspace) == 0) continue;  // inside a run of ▁
      p.model->encode_word(word.substr(start, found - start), false, out);
      start = found;
    }
    p.model->encode_word(word.substr(start), false, out);
  }
  if (p.model->fuse_unk() && p.model->unk_id() >= 0) fuse_unknowns(out, before, p.model->unk_id());
}

void encode_normalized(const Pipeline& p, const std::string& text, bool at_start, std::vector<int32_t>& out) {
  if (text.empty()) return;
  if (p.pre_tokenizer.empty()) {
    encode_model_word(p, text, out);
    return;
  }
  std::vector<std::string> words;
  p.pre_tokenizer.pre_tokenize(text, at_start, words);
  for (const std::string& word : words) encode_model_word(p, word, out);
}

// Ordinary text between raw added tokens: normalize, then match normalized added tokens.
void encode_segment(const Pipeline& p, const std::string& segment, bool at_start, std::vector<int32_t>& out) {
  std::string normalized = p.normalizer.normalize(segment);
  if (p.normalized_added.empty()) {
    encode_normalized(p, normalized, at_start, out);
    return;
  }
  for (const auto& piece : p.normalized_added.split(normalized)) {
    if (piece.id >= 0)
      out.push_back(piece.id);
    else
      encode_normalized(p, normalized.substr(piece.begin, piece.end - piece.begin), at_start && piece.begin == 0, out);
  }
}

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<const Pipeline> pipeline) : pipeline_(std::move(pipeline)) {}

Tokenizer Tokenizer::load(const std::string& path) { return Tokenizer(load_pipeline(path)); }
Tokenizer Tokenizer::from_json_text(const std::string& text, const std::string& source_name) {
  return Tokenizer(load_pipeline_from_text(text, source_name));
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, bool add_special) const {
  const Pipeline& p = *pipeline_;
  size_t invalid = find_invalid_utf8(text);
  if (invalid != std::string::npos)
    throw InputError("text to tokenize is not valid UTF-8 (byte " + std::to_string(invalid) + ")", kErrTextNotUtf8);
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  if (add_special) ids.insert(ids.end(), p.prefix_ids.begin(), p.prefix_ids.end());
  if (p.raw_added.empty()) {
    encode_segment(p, text, true, ids);
  } else {
    for (const auto& piece : p.raw_added.split(text)) {
      if (piece.id >= 0)
        ids.push_back(piece.id);
      else
        encode_segment(p, text.substr(piece.begin, piece.end - piece.begin), piece.begin == 0, ids);
    }
  }
  if (add_special) ids.insert(ids.end(), p.suffix_ids.begin(), p.suffix_ids.end());
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  const Pipeline& p = *pipeline_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  // Added tokens are text, not byte-level spellings: spell them so the ByteLevel decoder gives them back
  // unchanged (transformers.js likewise keeps added tokens out of the byte mapping).
  const bool byte_level = p.decoder.has_byte_level();
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t id = ids[i];
    if (id < 0 || size_t(id) >= p.vocab_size)
      throw InputError("decode: token id " + std::to_string(id) + " (position " + std::to_string(i) +
                           ") is outside the vocabulary [0, " + std::to_string(p.vocab_size) + ")",
                       kErrTokenIdRange);
    auto added = p.added_by_id.find(int32_t(id));
    if (added != p.added_by_id.end()) {
      const std::string& content = added->second->content;
      if (!(skip_special && added->second->special))
        tokens.push_back(byte_level ? bytes_to_unicode_text(content) : content);
      continue;
    }
    const std::string* token = p.model->id_to_token(int32_t(id));
    if (!token)
      throw InputError("decode: token id " + std::to_string(id) + " has no token in the vocabulary", kErrTokenIdRange);
    tokens.push_back(*token);
  }
  if (p.decoder.empty()) {  // huggingface/tokenizers joins with spaces when there is no decoder
    std::string text;
    for (size_t i = 0; i < tokens.size(); ++i) text += (i ? " " : "") + tokens[i];
    return text;
  }
  return p.decoder.decode(std::move(tokens));
}

std::string Tokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id > INT32_MAX) return "";
  auto added = pipeline_->added_by_id.find(int32_t(id));
  if (added != pipeline_->added_by_id.end()) return added->second->content;
  const std::string* token = pipeline_->model->id_to_token(int32_t(id));
  return token ? *token : "";
}

int64_t Tokenizer::token_to_id(const std::string& token) const {
  for (const AddedToken& added : pipeline_->added_tokens)
    if (added.content == token) return added.id;
  return pipeline_->model->token_to_id(token);
}

int64_t Tokenizer::bos_id() const { return pipeline_->bos_id; }
int64_t Tokenizer::eos_id() const { return pipeline_->eos_id; }
int64_t Tokenizer::unk_id() const { return pipeline_->model->unk_id(); }
size_t Tokenizer::vocab_size() const { return pipeline_->vocab_size; }
bool Tokenizer::adds_bos() const {
  return pipeline_->bos_id >= 0 && !pipeline_->prefix_ids.empty() && pipeline_->prefix_ids.front() == pipeline_->bos_id;
}
const std::string& Tokenizer::source_path() const { return pipeline_->source_path; }

}  // namespace kvt::tok
