// Limits every JSON reader applies before parsing, so that no input can make kvtuner recurse without bound.
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kvt {

// The deepest nesting of arrays and objects a JSON input may have: serde_json's default recursion limit, which
// Hugging Face's own readers (tokenizers, safetensors) parse with, so a file deeper than this loads nowhere.
// Every reader of kvtuner (config.json, safetensors headers and index, tokenizer files, configs, tables,
// calibration JSON Lines) refuses deeper input before parsing it; code that walks a parsed value recursively
// (tokenizer Sequence components, nlohmann's dump and comparison) is bounded by it.
inline constexpr int kMaxJsonDepth = 128;

// The nesting depth of arrays and objects in `text` (brackets inside strings do not count), scanning no
// further than the first point where it exceeds `limit` (then the result is limit + 1). Linear, no allocation.
int json_nesting_depth(std::string_view text, int limit = kMaxJsonDepth);

// @throws InputError(error_id) "<source>: JSON nested deeper than 128 levels ..." when json_nesting_depth(text)
// exceeds kMaxJsonDepth.
void check_json_depth(std::string_view text, const std::string& source, int error_id);

// The one JSON parse of every reader: check_json_depth, then nlohmann::json::parse.
// @throws InputError(error_id) "<source>: not valid JSON (<reason>)<hint>", one line, where <reason> is nlohmann's
// message without its "[json.exception...]" prefix (position and what was read); a number beyond double
// (1e400) adds "; every number must fit a double". The excerpt of the input nlohmann quotes ("last read: '...'") is
// cut to its first 40 bytes, so the message stays short whatever the input. Depth errors as check_json_depth.
nlohmann::json parse_json(std::string_view text, const std::string& source, int error_id, std::string_view hint = {});

// An integer read from a file, checked in 64 bits before any narrowing: true (and `out` set) when `v` is a JSON
// integer (signed or unsigned) in [min, max]. 2^32 + 4 is not 4, 2^63 is not negative.
bool json_integer_in(const nlohmann::json& v, int64_t min, int64_t max, int64_t& out);

}  // namespace kvt
