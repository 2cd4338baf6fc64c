// Calibration prompts from text (a .txt file, a .jsonl file, a directory of .txt files, or the bundled
// data/calibration/default.txt) or from token ids (.jsonl of id arrays), with the same selection rules
// for both. See docs/tokenizer.md ("Calibration input") for the formats.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/tokenizer/tokenizer.h"

namespace kvt::calib {

// Error ids (docs/errors.md, "Tokenizer and calibration").
enum CalibErrorId : int {
  kErrCalibPath = 720,      // --calib / --ids / --calib-template path missing or unreadable, or a .json file
  kErrCalibEmpty = 721,     // no documents, or every prompt dropped
  kErrCalibJsonl = 722,     // a .jsonl line is not valid JSON / not an object
  kErrCalibField = 723,     // the --calib-field is missing from a record or not a string
  kErrCalibOptions = 724,   // inconsistent option values
  kErrCalibIds = 725,       // a token-id line is not an array of ids in the vocabulary
  kErrCalibTemplate = 726,  // the template lacks {text}
  kErrCalibText = 727       // a document is not valid UTF-8
};

struct CalibOptions {
  std::string calib_path;      // --calib: .txt, .jsonl or a directory of .txt; "" = the bundled default
  std::string field = "text";  // --calib-field: the .jsonl field holding the text
  std::string ids_path;        // --ids: .jsonl of token-id arrays, instead of --calib
  std::string template_path;   // --calib-template: a text file with {text} where each document goes
  int64_t num_prompts = 0;     // --num-prompts: keep at most this many prompts (0 = all)
  int64_t max_tokens = 0;      // --max-tokens: truncate each prompt to this many tokens (0 = no limit)
  int64_t min_tokens = 1;      // --min-tokens: drop prompts shorter than this (after truncation)
  // --long-prompts: a prompt longer than the model's context (max_position_embeddings) is "split" into the
  // fewest pieces that fit, of equal length (±1 token), or "truncate"d to it with a warning. "" (default):
  // split for the bundled calibration set, truncate for your own data.
  std::string long_prompts;
};

struct CalibrationSet {
  std::vector<std::vector<int64_t>> prompts;  // token ids, BOS included when the tokenizer adds it
  std::string hash;                           // content_hash(prompts): identifies the tokenized set
  std::string source;                         // the path read (for reports)
  size_t documents = 0;                       // documents read before selection
  size_t dropped_short = 0;                   // dropped by --min-tokens
  size_t truncated = 0;                       // truncated to max_position_embeddings (with a warning)
  size_t split = 0;                           // split into several prompts that fit max_position_embeddings
};

// @throws InputError (kErrCalibOptions) for negative counts, min_tokens > max_tokens, both
//         calib_path and ids_path set, or a long_prompts other than "", "split", "truncate".
void validate(const CalibOptions& options);

// The bundled calibration text (data/calibration/default.txt).
std::string default_calibration_path();

// One document per entry, in order (see docs/tokenizer.md): .txt → blank-line-separated blocks;
// .jsonl → options.field of each record (GSM8K-style {question, answer} records become
// "Question: …\nAnswer: …" when the field is "text" and absent); a directory → each *.txt file, by name.
// The template, when given, is applied. @throws InputError naming the file (and line).
std::vector<std::string> read_documents(const std::string& path, const CalibOptions& options);
// The documents of a `.jsonl` calibration file's text (what --calib FILE.jsonl reads): one JSON object per
// non-blank line, the text in `field` (or a question/answer record). `path` names the file in errors.
// @throws InputError 722 (a line is not JSON, nested deeper than 128, or not an object) / 723 (the field).
std::vector<std::string> jsonl_documents(const std::string& content, const std::string& path, const std::string& field);

// Documents → prompts: tokenize (BOS as the model's tokenizer adds it), truncate to max_tokens, then split or
// truncate what is longer than max_positions (max_position_embeddings; options.long_prompts, "" = truncate here;
// truncation warns), drop those under min_tokens, keep the first num_prompts. Split pieces after the first
// continue the text without a BOS, like the trainer's windows. max_positions <= 0 means no model limit.
// @throws InputError when no prompt is left or the input is invalid.
CalibrationSet load_calibration(const std::string& path, const tok::Tokenizer& tokenizer, const CalibOptions& options,
                                int64_t max_positions);

// --ids form: one JSON array of token ids per non-empty line; ids must be < vocab_size when vocab_size > 0.
// The same truncation / selection rules apply.
CalibrationSet load_token_ids(const std::string& path, const CalibOptions& options, int64_t max_positions,
                              int64_t vocab_size);

// What commands call: --ids when given, else --calib (or the bundled default) through `tokenizer`. The bundled
// set splits its long documents unless --long-prompts says otherwise: it is meant to fit any model.
// @throws InputError when text input is requested but `tokenizer` is null.
CalibrationSet load_prompts(const CalibOptions& options, const tok::Tokenizer* tokenizer, int64_t max_positions,
                            int64_t vocab_size);

// FNV-1a 64 over every prompt's length and ids as little-endian int64 (the same bytes cmd_profile hashes).
std::string content_hash(const std::vector<std::vector<int64_t>>& prompts);

}  // namespace kvt::calib
