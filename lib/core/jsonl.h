// JSON Lines input: one JSON value per line, blank lines skipped, errors naming "<source>:<line>".
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace kvt {

// Calls on_value(value, "<source>:<line>") for every non-blank line of `content`, in order.
// @throws InputError(parse_error_id) "<source>:<line>: not valid JSON<expected>" for a line that does not parse
// (or holds a number beyond double, such as 1e400), or "<source>:<line>: JSON nested deeper than 128 levels ..."
// for a line deeper than kMaxJsonDepth (lib/core/json_limits.h).
void for_each_jsonl_value(const std::string& content, const std::string& source, int parse_error_id,
                          const std::string& expected,
                          const std::function<void(const nlohmann::json& value, const std::string& where)>& on_value);

}  // namespace kvt
