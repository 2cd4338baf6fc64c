// Documents or id lists → the calibration set: truncation, selection and the content hash.
#include "calibration/input/calibration_set.h"

#include <functional>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/core/jsonl.h"
#include "lib/core/log.h"
#include "lib/core/output.h"

namespace kvt::calib {

namespace {

// The fewest pieces of at most `limit` tokens, of equal length (±1 token; the longer ones first), in order.
std::vector<std::vector<int64_t>> split_evenly(const std::vector<int64_t>& ids, int64_t limit) {
  const size_t pieces = (ids.size() + size_t(limit) - 1) / size_t(limit);
  const size_t base = ids.size() / pieces, longer = ids.size() % pieces;
  std::vector<std::vector<int64_t>> out;
  size_t begin = 0;
  for (size_t p = 0; p < pieces; ++p) {
    size_t length = base + (p < longer ? 1 : 0);
    out.emplace_back(ids.begin() + long(begin), ids.begin() + long(begin + length));
    begin += length;
  }
  return out;
}

// Applies max_tokens, max_positions (split, or truncate with a warning), min_tokens and num_prompts to
// candidates 0..count-1 in order; `candidate(i)` is only called until num_prompts prompts are kept.
CalibrationSet select_prompts(size_t count, const std::function<std::vector<int64_t>(size_t)>& candidate,
                              const std::string& source, const CalibOptions& options, int64_t max_positions) {
  CalibrationSet set;
  set.source = source;
  set.documents = count;
  const bool split = options.long_prompts == "split";
  size_t first_truncated = 0, pieces = 0;
  auto full = [&] { return options.num_prompts > 0 && int64_t(set.prompts.size()) >= options.num_prompts; };
  for (size_t i = 0; i < count && !full(); ++i) {
    std::vector<int64_t> ids = candidate(i);
    if (options.max_tokens > 0 && int64_t(ids.size()) > options.max_tokens) ids.resize(size_t(options.max_tokens));
    std::vector<std::vector<int64_t>> prompts;
    if (max_positions > 0 && int64_t(ids.size()) > max_positions && split) {
      prompts = split_evenly(ids, max_positions);
      ++set.split, pieces += prompts.size();
    } else if (max_positions > 0 && int64_t(ids.size()) > max_positions) {
      if (set.truncated++ == 0) first_truncated = i;
      ids.resize(size_t(max_positions));
      prompts.push_back(std::move(ids));
    } else {
      prompts.push_back(std::move(ids));
    }
    for (auto& prompt : prompts) {
      if (full()) break;
      if (int64_t(prompt.size()) < options.min_tokens || prompt.empty()) {
        ++set.dropped_short;
        continue;
      }
      set.prompts.push_back(std::move(prompt));
    }
  }
  if (set.truncated > 0)
    log_warning(source + ": " + std::to_string(set.truncated) + " prompt(s) longer than max_position_embeddings (" +
                std::to_string(max_positions) + " tokens) were truncated to it, the first being document " +
                std::to_string(first_truncated) +
                "; set --max-tokens to choose the length, or --long-prompts split to keep all of the text");
  if (set.split > 0)
    log_info(source + ": split " + std::to_string(set.split) + " document(s) longer than max_position_embeddings (" +
             std::to_string(max_positions) + " tokens) into " + std::to_string(pieces) + " prompts");
  if (set.dropped_short > 0)
    log_info(source + ": dropped " + std::to_string(set.dropped_short) + " prompt(s) shorter than --min-tokens " +
             std::to_string(options.min_tokens));
  if (set.prompts.empty())
    throw InputError(source + ": no calibration prompt left (" + std::to_string(set.documents) + " read, " +
                         std::to_string(set.dropped_short) + " shorter than --min-tokens " +
                         std::to_string(options.min_tokens) + ")",
                     kErrCalibEmpty);
  set.hash = content_hash(set.prompts);
  return set;
}

}  // namespace

void validate(const CalibOptions& options) {
  auto fail = [](const std::string& what) { throw InputError(what, kErrCalibOptions); };
  if (!options.calib_path.empty() && !options.ids_path.empty()) fail("--calib and --ids are alternatives; give one");
  if (!options.ids_path.empty() && !options.template_path.empty())
    fail("--calib-template applies to text, not to --ids");
  if (options.num_prompts < 0) fail("--num-prompts must be >= 0 (0 = all), got " + std::to_string(options.num_prompts));
  if (options.max_tokens < 0)
    fail("--max-tokens must be >= 0 (0 = no limit), got " + std::to_string(options.max_tokens));
  if (options.min_tokens < 1) fail("--min-tokens must be >= 1, got " + std::to_string(options.min_tokens));
  if (options.max_tokens > 0 && options.min_tokens > options.max_tokens)
    fail("--min-tokens (" + std::to_string(options.min_tokens) + ") exceeds --max-tokens (" +
         std::to_string(options.max_tokens) + "): every prompt would be dropped");
  if (options.field.empty()) fail("--calib-field must not be empty");
  if (!options.long_prompts.empty() && options.long_prompts != "split" && options.long_prompts != "truncate")
    fail("--long-prompts must be split or truncate, got '" + options.long_prompts + "'");
}

std::string default_calibration_path() { return std::string(KVT_DATA_DIR) + "/calibration/default.txt"; }

std::string content_hash(const std::vector<std::vector<int64_t>>& prompts) {
  Fnv1a64 h;
  for (const auto& prompt : prompts) {
    int64_t n = int64_t(prompt.size());
    h.update(&n, sizeof n);  // little-endian hosts only (x86-64, aarch64), as the rest of kvtuner
    h.update(prompt.data(), prompt.size() * sizeof(int64_t));
  }
  return h.hex();
}

CalibrationSet load_calibration(const std::string& path, const tok::Tokenizer& tokenizer, const CalibOptions& options,
                                int64_t max_positions) {
  validate(options);
  const std::vector<std::string> documents = read_documents(path, options);
  auto encode = [&](size_t i) {
    try {
      return tokenizer.encode(documents[i], true);
    } catch (const Error& e) {
      throw InputError("--calib " + path + ": document " + std::to_string(i) + ": " + e.what(), kErrCalibText);
    }
  };
  return select_prompts(documents.size(), encode, path, options, max_positions);
}

CalibrationSet load_token_ids(const std::string& path, const CalibOptions& options, int64_t max_positions,
                              int64_t vocab_size) {
  validate(options);
  const std::string content = read_file(path);
  std::vector<std::vector<int64_t>> candidates;
  for_each_jsonl_value(content, path, kErrCalibIds, " (expected an array of token ids)",
                       [&](const nlohmann::json& ids, const std::string& where) {
                         if (!ids.is_array() || ids.empty())
                           throw InputError(where + ": expected a non-empty JSON array of token ids", kErrCalibIds);
                         std::vector<int64_t> prompt;
                         prompt.reserve(ids.size());
                         for (const auto& id : ids) {
                           if (!id.is_number_integer() || id.get<int64_t>() < 0)
                             throw InputError(where + ": token id " + id.dump() + " is not a non-negative integer",
                                              kErrCalibIds);
                           if (vocab_size > 0 && id.get<int64_t>() >= vocab_size)
                             throw InputError(where + ": token id " + id.dump() + " is outside the vocabulary (size " +
                                                  std::to_string(vocab_size) + ")",
                                              kErrCalibIds);
                           prompt.push_back(id.get<int64_t>());
                         }
                         candidates.push_back(std::move(prompt));
                       });
  if (candidates.empty()) throw InputError("--ids " + path + ": holds no prompts", kErrCalibEmpty);
  return select_prompts(
      candidates.size(), [&](size_t i) { return std::move(candidates[i]); }, path, options, max_positions);
}

CalibrationSet load_prompts(const CalibOptions& options, const tok::Tokenizer* tokenizer, int64_t max_positions,
                            int64_t vocab_size) {
  validate(options);
  if (!options.ids_path.empty()) return load_token_ids(options.ids_path, options, max_positions, vocab_size);
  if (!tokenizer)
    throw InputError(
        "calibration text needs a tokenizer: give --tokenizer (or a model directory with tokenizer.json), or --ids",
        kErrCalibOptions);
  if (!options.calib_path.empty()) return load_calibration(options.calib_path, *tokenizer, options, max_positions);
  // The bundled set has documents longer than small models' contexts (the demo model's 256 tokens): split them.
  CalibOptions bundled = options;
  if (bundled.long_prompts.empty()) bundled.long_prompts = "split";
  return load_calibration(default_calibration_path(), *tokenizer, bundled, max_positions);
}

}  // namespace kvt::calib
