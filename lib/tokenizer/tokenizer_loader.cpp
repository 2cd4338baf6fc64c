// Reads tokenizer.json (+ tokenizer_config.json), or GPT-2's vocab.json + merges.txt, into a Pipeline.
// Every field is type-checked; an unknown component type is an UnsupportedError naming it.
#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/log.h"
#include "lib/core/output.h"
#include "lib/tokenizer/tokenizer_pipeline.h"

namespace kvt::tok {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A JSON value with the path that names it in error messages ("tokenizer.json: model.merges[3]").
struct Node {
  const json& value;
  std::string where;

  Node at(const std::string& key) const { return {value.at(key), where + "." + key}; }
  Node at(size_t index) const { return {value.at(index), where + "[" + std::to_string(index) + "]"}; }
  bool has(const std::string& key) const {
    return value.is_object() && value.contains(key) && !value.at(key).is_null();
  }

  [[noreturn]] void fail(const std::string& what) const { throw InputError(where + ": " + what, kErrTokenizerJson); }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(where + ": " + what, kErrUnsupportedFeature);
  }
  const json& object() const {
    if (!value.is_object()) fail("expected an object");
    return value;
  }
  const json& array() const {
    if (!value.is_array()) fail("expected an array");
    return value;
  }
  std::string str() const {
    if (!value.is_string()) fail("expected a string");
    return value.get<std::string>();
  }
  bool boolean() const {
    if (!value.is_boolean()) fail("expected true or false");
    return value.get<bool>();
  }
  int64_t integer() const {
    if (!value.is_number_integer()) fail("expected an integer");
    // An unsigned value above INT64_MAX would wrap negative through get<int64_t>().
    if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX)) fail("integer out of range");
    return value.get<int64_t>();
  }
  // An integer in [min, max], checked in 64 bits before any narrowing.
  int64_t integer_in(int64_t min, int64_t max, const std::string& what) const {
    const int64_t v = integer();
    if (v < min || v > max)
      fail(what + " " + std::to_string(v) + " is out of range (expected " + std::to_string(min) + ".." +
           std::to_string(max) + ")");
    return v;
  }
  // A token id: 0..kMaxTokenId, so it fits int32 with room for the vocabulary size.
  int32_t token_id() const { return int32_t(integer_in(0, kMaxTokenId, "token id")); }
  // Element `index` of an array. @throws naming the path when this is not an array or too short.
  Node member_at(size_t index) const {
    if (array().size() <= index) fail("expected at least " + std::to_string(index + 1) + " elements");
    return at(index);
  }
  Node member(const std::string& key) const {
    object();
    if (!value.contains(key)) fail("missing field \"" + key + "\"");
    return at(key);
  }
  std::string str_or(const std::string& key, const std::string& fallback) const {
    return has(key) ? at(key).str() : fallback;
  }
  bool bool_or(const std::string& key, bool fallback) const { return has(key) ? at(key).boolean() : fallback; }
  std::string type() const { return member("type").str(); }
};

json parse_json_text(const std::string& text, const std::string& path) {
  return parse_json(text, path, kErrTokenizerJson);  // the depth limit bounds the recursion over Sequence components
}

json parse_json_file(const std::string& path) { return parse_json_text(read_file(path), path); }

// "\\p{L}" etc. are used as is; a String pattern is matched literally.
std::shared_ptr<RegexPreTokenizer> pattern_regex(const Node& pattern) {
  if (pattern.has("Regex")) return std::make_shared<RegexPreTokenizer>(pattern.at("Regex").str());
  if (pattern.has("String")) {
    std::string escaped;
    for (char c : pattern.at("String").str()) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x80 && !std::isalnum(u)) escaped.push_back('\\');
      escaped.push_back(c);
    }
    return std::make_shared<RegexPreTokenizer>(escaped);
  }
  pattern.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

void add_normalizer(const Node& node, Normalizer& normalizer) {
  const std::string type = node.type();
  using Kind = Normalizer::Kind;
  if (type == "Sequence") {
    Node list = node.member("normalizers");
    for (size_t i = 0; i < list.array().size(); ++i) add_normalizer(list.at(i), normalizer);
  } else if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
    Kind kind = type == "NFC" ? Kind::kNfc : type == "NFD" ? Kind::kNfd : type == "NFKC" ? Kind::kNfkc : Kind::kNfkd;
    normalizer.add({kind, "", "", nullptr});
  } else if (type == "Prepend") {
    normalizer.add({Kind::kPrepend, node.member("prepend").str(), "", nullptr});
  } else if (type == "Replace") {
    Node pattern = node.member("pattern");
    std::string content = node.member("content").str();
    if (pattern.has("String"))
      normalizer.add({Kind::kReplace, content, pattern.at("String").str(), nullptr});
    else
      normalizer.add({Kind::kReplace, content, "", pattern_regex(pattern)});
  } else {
    node.unsupported("normalizer type \"" + type +
                     "\" is not supported (supported: NFC, NFD, NFKC, NFKD, Prepend, Replace, Sequence)");
  }
}

PreTokenizer::PrependScheme prepend_scheme(const Node& node) {
  using Scheme = PreTokenizer::PrependScheme;
  if (node.has("prepend_scheme")) {
    std::string scheme = node.at("prepend_scheme").str();
    if (scheme == "always") return Scheme::kAlways;
    if (scheme == "first") return Scheme::kFirst;
    if (scheme == "never") return Scheme::kNever;
    node.at("prepend_scheme").fail("expected \"always\", \"first\" or \"never\", got \"" + scheme + "\"");
  }
  return node.bool_or("add_prefix_space", true) ? Scheme::kAlways : Scheme::kNever;  // older files
}

void add_pre_tokenizer(const Node& node, PreTokenizer& pre_tokenizer) {
  const std::string type = node.type();
  using Kind = PreTokenizer::Kind;
  if (pre_tokenizer.byte_level())
    node.unsupported("a pre-tokenizer after ByteLevel is not supported (ByteLevel must come last)");
  if (type == "Sequence") {
    Node list = node.member("pretokenizers");
    for (size_t i = 0; i < list.array().size(); ++i) add_pre_tokenizer(list.at(i), pre_tokenizer);
  } else if (type == "Split") {
    PreTokenizer::Step step{Kind::kSplit, pattern_regex(node.member("pattern"))};
    const std::string behavior = node.member("behavior").str();
    using B = PreTokenizer::Behavior;
    if (behavior == "Removed")
      step.behavior = B::kRemoved;
    else if (behavior == "Isolated")
      step.behavior = B::kIsolated;
    else if (behavior == "MergedWithPrevious")
      step.behavior = B::kMergedWithPrevious;
    else if (behavior == "MergedWithNext")
      step.behavior = B::kMergedWithNext;
    else if (behavior == "Contiguous")
      step.behavior = B::kContiguous;
    else
      node.at("behavior").fail("unknown split behavior \"" + behavior + "\"");
    step.invert = node.bool_or("invert", false);
    pre_tokenizer.add(std::move(step));
  } else if (type == "ByteLevel") {
    PreTokenizer::Step step{Kind::kByteLevel};
    step.add_prefix_space = node.bool_or("add_prefix_space", true);
    if (node.bool_or("use_regex", true)) step.regex = std::make_shared<RegexPreTokenizer>(kGpt2Pattern);
    pre_tokenizer.add(std::move(step));
  } else if (type == "Metaspace") {
    PreTokenizer::Step step{Kind::kMetaspace};
    step.replacement = node.member("replacement").str();
    step.prepend_scheme = prepend_scheme(node);
    step.split = node.bool_or("split", true);
    pre_tokenizer.add(std::move(step));
  } else {
    node.unsupported("pre_tokenizer type \"" + type +
                     "\" is not supported (supported: ByteLevel, Metaspace, Split, Sequence)");
  }
}

void add_decoder(const Node& node, Decoder& decoder) {
  const std::string type = node.type();
  using Kind = Decoder::Kind;
  Decoder::Step step{};
  if (type == "Sequence") {
    Node list = node.member("decoders");
    for (size_t i = 0; i < list.array().size(); ++i) add_decoder(list.at(i), decoder);
    return;
  } else if (type == "ByteLevel") {
    step.kind = Kind::kByteLevel;
  } else if (type == "Metaspace") {
    step.kind = Kind::kMetaspace;
    step.pattern = node.member("replacement").str();
    step.prepend = prepend_scheme(node) != PreTokenizer::PrependScheme::kNever;
  } else if (type == "Replace") {
    Node pattern = node.member("pattern");
    if (!pattern.has("String")) pattern.unsupported("a Regex pattern in a Replace decoder is not supported");
    step.kind = Kind::kReplace;
    step.pattern = pattern.at("String").str();
    step.content = node.member("content").str();
  } else if (type == "ByteFallback") {
    step.kind = Kind::kByteFallback;
  } else if (type == "Fuse") {
    step.kind = Kind::kFuse;
  } else if (type == "Strip") {
    step.kind = Kind::kStrip;
    step.content = node.member("content").str();
    step.start = size_t(node.member("start").integer_in(0, INT32_MAX, "start"));
    step.stop = size_t(node.member("stop").integer_in(0, INT32_MAX, "stop"));
  } else {
    node.unsupported(
        "decoder type \"" + type +
        "\" is not supported (supported: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence)");
  }
  decoder.add(std::move(step));
}

// Token ids the post-processor puts before and after a single sequence.
void add_post_processor(const Node& node, std::vector<int32_t>& prefix, std::vector<int32_t>& suffix) {
  const std::string type = node.type();
  std::vector<int32_t> before, after;
  if (type == "Sequence") {
    Node list = node.member("processors");
    for (size_t i = 0; i < list.array().size(); ++i) add_post_processor(list.at(i), prefix, suffix);
    return;
  } else if (type == "ByteLevel") {
    return;  // only adjusts offsets
  } else if (type == "TemplateProcessing") {
    Node single = node.member("single");
    Node specials = node.member("special_tokens");
    bool seen_sequence = false;
    for (size_t i = 0; i < single.array().size(); ++i) {
      Node item = single.at(i);
      if (item.has("Sequence")) {
        if (item.at("Sequence").member("id").str() != "A") item.fail("the single template may only use sequence A");
        seen_sequence = true;
      } else if (item.has("SpecialToken")) {
        std::string name = item.at("SpecialToken").member("id").str();
        if (!specials.has(name)) item.fail("special token \"" + name + "\" is not in special_tokens");
        Node ids = specials.at(name).member("ids");
        for (size_t k = 0; k < ids.array().size(); ++k)
          (seen_sequence ? after : before).push_back(ids.at(k).token_id());
      } else {
        item.fail("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
      }
    }
  } else if (type == "RobertaProcessing" || type == "BertProcessing") {
    before.push_back(node.member("cls").member_at(1).token_id());
    after.push_back(node.member("sep").member_at(1).token_id());
  } else {
    node.unsupported(
        "post_processor type \"" + type +
        "\" is not supported (supported: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence)");
  }
  prefix.insert(prefix.begin(), before.begin(), before.end());
  suffix.insert(suffix.end(), after.begin(), after.end());
}

AddedToken parse_added_token(const Node& node, int32_t id) {
  AddedToken token;
  token.id = id;
  token.content = node.member("content").str();
  token.special = node.bool_or("special", false);
  token.lstrip = node.bool_or("lstrip", false);
  token.rstrip = node.bool_or("rstrip", false);
  token.normalized = node.bool_or("normalized", !token.special);
  if (node.bool_or("single_word", false))
    node.unsupported("added token \"" + token.content + "\": single_word is not supported");
  if (token.content.empty()) node.fail("added token with empty content");
  return token;
}

std::unique_ptr<BpeModel> parse_bpe_model(const Node& model) {
  if (model.has("type") && model.type() != "BPE")
    model.unsupported("model type \"" + model.type() + "\" is not supported (only BPE)");
  if (model.has("dropout") && !model.at("dropout").value.is_number())
    model.at("dropout").fail("expected a number or null");
  if (model.has("dropout") && model.at("dropout").value.get<double>() != 0.0)
    model.unsupported("BPE dropout is not supported");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (!model.str_or(key, "").empty()) model.unsupported(std::string(key) + " is not supported");

  Node vocab = model.member("vocab");
  vocab.object();
  std::unordered_map<std::string, int32_t> token_to_id;
  std::vector<std::string> id_to_token;
  token_to_id.reserve(vocab.value.size() * 2);
  for (const auto& [token, id_value] : vocab.value.items()) {
    Node id_node{id_value, vocab.where + "[\"" + token + "\"]"};
    const int64_t id = id_node.token_id();
    if (size_t(id) >= id_to_token.size()) id_to_token.resize(size_t(id) + 1);
    if (!id_to_token[id].empty()) id_node.fail("id " + std::to_string(id) + " is used twice");
    id_to_token[id] = token;
    token_to_id.emplace(token, int32_t(id));
  }

  Node merges = model.member("merges");
  std::vector<std::pair<std::string, std::string>> merge_pairs;
  merge_pairs.reserve(merges.array().size());
  for (size_t i = 0; i < merges.value.size(); ++i) {
    const json& entry = merges.value[i];
    if (entry.is_string()) {  // "a b" (tokenizers < 0.20)
      const std::string& text = entry.get_ref<const std::string&>();
      size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
        merges.at(i).fail("expected \"left right\" with exactly one space");
      merge_pairs.emplace_back(text.substr(0, space), text.substr(space + 1));
    } else if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {  // ["a", "b"]
      merge_pairs.emplace_back(entry[0].get<std::string>(), entry[1].get<std::string>());
    } else {
      merges.at(i).fail("expected \"left right\" or [\"left\", \"right\"]");
    }
  }

  BpeModel::Options options;
  options.unk_token = model.str_or("unk_token", "");
  options.byte_fallback = model.bool_or("byte_fallback", false);
  options.fuse_unk = model.bool_or("fuse_unk", false);
  options.ignore_merges = model.bool_or("ignore_merges", false);
  return std::make_unique<BpeModel>(std::move(id_to_token), std::move(token_to_id), merge_pairs, options, model.where);
}

// tokenizer_config.json's token fields are a string, an AddedToken object {"content": ...}, or null.
std::string config_token(const Node& config, const std::string& key) {
  if (!config.has(key)) return "";
  Node value = config.at(key);
  if (value.value.is_object()) return value.member("content").str();
  return value.str();
}

int32_t lookup_token(const Pipeline& pipeline, const std::string& token) {
  for (const AddedToken& added : pipeline.added_tokens)
    if (added.content == token) return added.id;
  return pipeline.model->token_to_id(token);
}

void load_tokenizer_json(const json& root, const std::string& path, Pipeline& pipeline) {
  Node top{root, path};
  top.object();
  if (top.has("truncation"))
    log_warning(path + ": \"truncation\" is ignored; kvtuner truncates prompts itself (--max-tokens)");
  pipeline.model = parse_bpe_model(top.member("model"));
  if (top.has("added_tokens")) {
    Node list = top.at("added_tokens");
    for (size_t i = 0; i < list.array().size(); ++i)
      pipeline.added_tokens.push_back(parse_added_token(list.at(i), list.at(i).member("id").token_id()));
  }
  if (top.has("normalizer")) add_normalizer(top.at("normalizer"), pipeline.normalizer);
  if (top.has("pre_tokenizer")) add_pre_tokenizer(top.at("pre_tokenizer"), pipeline.pre_tokenizer);
  if (top.has("post_processor")) add_post_processor(top.at("post_processor"), pipeline.prefix_ids, pipeline.suffix_ids);
  if (top.has("decoder")) add_decoder(top.at("decoder"), pipeline.decoder);
}

// GPT-2's original form: vocab.json {token: id} and merges.txt ("#version" line, then "left right").
void load_vocab_merges(const std::string& vocab_path, const std::string& merges_path, Pipeline& pipeline) {
  json vocab = parse_json_file(vocab_path);
  json model = {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}};
  std::string text = read_file(merges_path);
  size_t line_start = 0, line_number = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    ++line_number;
    line_start = line_end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    size_t space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
      throw InputError(merges_path + ":" + std::to_string(line_number) + ": expected \"left right\"",
                       kErrTokenizerJson);
    model["merges"].push_back(line);
  }
  pipeline.model = parse_bpe_model(Node{model, vocab_path});
  PreTokenizer::Step step{PreTokenizer::Kind::kByteLevel, std::make_shared<RegexPreTokenizer>(kGpt2Pattern)};
  pipeline.pre_tokenizer.add(std::move(step));
  pipeline.decoder.add(Decoder::Step{Decoder::Kind::kByteLevel});
}

// Added tokens of the vocab.json form: tokenizer_config.json's added_tokens_decoder and added_tokens.json.
void load_side_added_tokens(const fs::path& dir, const json& config, Pipeline& pipeline) {
  std::string config_path = (dir / "tokenizer_config.json").string();
  if (config.is_object() && config.contains("added_tokens_decoder")) {
    Node decoder{config.at("added_tokens_decoder"), config_path + ": added_tokens_decoder"};
    for (const auto& [id_text, entry] : decoder.object().items()) {
      Node node{entry, decoder.where + "[\"" + id_text + "\"]"};
      int64_t id = -1;
      const bool digits = !id_text.empty() && id_text.size() <= 18 &&
                          std::all_of(id_text.begin(), id_text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits) id = std::stoll(id_text);
      if (!digits || id > kMaxTokenId) node.fail("key is not a token id in 0.." + std::to_string(kMaxTokenId));
      pipeline.added_tokens.push_back(parse_added_token(node, int32_t(id)));
    }
  }
  fs::path added_path = dir / "added_tokens.json";
  if (fs::exists(added_path)) {
    json added = parse_json_file(added_path.string());
    Node node{added, added_path.string()};
    for (const auto& [content, id] : node.object().items()) {
      bool known = false;
      for (const AddedToken& t : pipeline.added_tokens) known = known || t.content == content;
      if (known) continue;
      AddedToken token;
      token.content = content;
      token.id = Node{id, node.where + "[\"" + content + "\"]"}.token_id();
      pipeline.added_tokens.push_back(token);
    }
  }
}

void finish_pipeline(Pipeline& pipeline, const Node& config_node);

std::shared_ptr<const Pipeline> build_pipeline(const std::string& path) {
  auto pipeline = std::make_shared<Pipeline>();
  std::error_code ec;
  fs::path input(path);
  if (!fs::exists(input, ec)) throw InputError("tokenizer: " + path + " does not exist", kErrTokenizerPath);
  fs::path dir = fs::is_directory(input) ? input : input.parent_path();
  if (dir.empty()) dir = ".";

  bool vocab_form = false;
  if (fs::is_directory(input)) {
    if (fs::exists(input / "tokenizer.json")) {
      pipeline->source_path = (input / "tokenizer.json").string();
    } else if (fs::exists(input / "vocab.json") && fs::exists(input / "merges.txt")) {
      pipeline->source_path = (input / "vocab.json").string();
      vocab_form = true;
    } else if (fs::exists(input / "encoder.json") && fs::exists(input / "vocab.bpe")) {
      pipeline->source_path = (input / "encoder.json").string();
      vocab_form = true;
    } else {
      throw InputError(
          "tokenizer: " + path + " holds no tokenizer.json, vocab.json + merges.txt, or encoder.json + vocab.bpe",
          kErrTokenizerPath);
    }
  } else {
    pipeline->source_path = input.string();
    std::string name = input.filename().string();
    vocab_form = name == "vocab.json" || name == "encoder.json";
  }

  json config = json::object();
  fs::path config_path = dir / "tokenizer_config.json";
  if (fs::exists(config_path)) config = parse_json_file(config_path.string());
  Node config_node{config, config_path.string()};
  config_node.object();

  if (vocab_form) {
    bool openai_names = fs::path(pipeline->source_path).filename() == "encoder.json";
    fs::path merges = dir / (openai_names ? "vocab.bpe" : "merges.txt");
    if (!fs::exists(merges)) throw InputError("tokenizer: " + merges.string() + " does not exist", kErrTokenizerPath);
    load_vocab_merges(pipeline->source_path, merges.string(), *pipeline);
    load_side_added_tokens(dir, config, *pipeline);
  } else {
    load_tokenizer_json(parse_json_file(pipeline->source_path), pipeline->source_path, *pipeline);
  }
  finish_pipeline(*pipeline, config_node);
  return pipeline;
}

// Added tokens: the two matchers, the id index and the vocabulary size; BOS / EOS; the post-processor's ids.
void finish_pipeline(Pipeline& p, const Node& config_node) {
  Pipeline* pipeline = &p;
  std::vector<AddedToken> raw, normalized;
  size_t max_id = pipeline->model->size();
  for (const AddedToken& token : pipeline->added_tokens) {
    if (token.id < 0)
      throw InputError(pipeline->source_path + ": added token \"" + token.content + "\" has a negative id",
                       kErrTokenizerVocab);
    (token.normalized ? normalized : raw).push_back(token);
    max_id = std::max(max_id, size_t(token.id) + 1);
  }
  pipeline->raw_added.build(raw);
  pipeline->normalized_added.build(normalized);
  for (const AddedToken& token : pipeline->added_tokens) pipeline->added_by_id[token.id] = &token;
  pipeline->vocab_size = max_id;

  // BOS / EOS: tokenizer_config.json names them; add_bos_token / add_eos_token override the template.
  std::string bos = config_token(config_node, "bos_token"), eos = config_token(config_node, "eos_token");
  auto resolve = [&](const std::string& token, const char* key) -> int64_t {
    if (token.empty()) return -1;
    int32_t id = lookup_token(*pipeline, token);
    if (id < 0) config_node.at(key).fail("\"" + token + "\" is neither an added token nor in the vocabulary");
    return id;
  };
  pipeline->bos_id = resolve(bos, "bos_token");
  pipeline->eos_id = resolve(eos, "eos_token");
  if (pipeline->bos_id < 0 && pipeline->prefix_ids.size() == 1) pipeline->bos_id = pipeline->prefix_ids[0];
  if (pipeline->eos_id < 0 && pipeline->suffix_ids.size() == 1) pipeline->eos_id = pipeline->suffix_ids[0];
  if (config_node.has("add_bos_token")) {
    pipeline->prefix_ids.clear();
    if (config_node.at("add_bos_token").boolean()) {
      if (pipeline->bos_id < 0) config_node.at("add_bos_token").fail("is true but bos_token is not set");
      pipeline->prefix_ids.push_back(int32_t(pipeline->bos_id));
    }
  }
  if (config_node.has("add_eos_token")) {
    pipeline->suffix_ids.clear();
    if (config_node.at("add_eos_token").boolean()) {
      if (pipeline->eos_id < 0) config_node.at("add_eos_token").fail("is true but eos_token is not set");
      pipeline->suffix_ids.push_back(int32_t(pipeline->eos_id));
    }
  }
  for (const auto* ids : {&pipeline->prefix_ids, &pipeline->suffix_ids})
    for (int32_t id : *ids)
      if (id < 0 || size_t(id) >= pipeline->vocab_size)
        throw InputError(
            pipeline->source_path + ": post_processor uses id " + std::to_string(id) + " outside the vocabulary",
            kErrTokenizerVocab);
}

}  // namespace

std::shared_ptr<const Pipeline> load_pipeline_from_text(const std::string& text, const std::string& source_name) {
  try {
    auto pipeline = std::make_shared<Pipeline>();
    pipeline->source_path = source_name;
    load_tokenizer_json(parse_json_text(text, source_name), source_name, *pipeline);
    const json no_config = json::object();
    finish_pipeline(*pipeline, Node{no_config, "tokenizer_config.json"});
    return pipeline;
  } catch (const json::exception& e) {  // as load_pipeline
    throw InputError("tokenizer: " + source_name + ": " + e.what(), kErrTokenizerJson);
  }
}

std::shared_ptr<const Pipeline> load_pipeline(const std::string& path) {
  try {
    return build_pipeline(path);
  } catch (const json::exception& e) {  // a value of the wrong JSON type somewhere not checked above
    throw InputError("tokenizer: " + path + ": " + e.what(), kErrTokenizerJson);
  }
}

}  // namespace kvt::tok
