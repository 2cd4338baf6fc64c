// Text from a file, made safe to quote in a one-line error message.
#pragma once
#include <cstddef>
#include <string>

namespace kvt {

// `text` with line breaks, other control characters and bytes that are not well-formed UTF-8 escaped (\n, \r,
// \xNN); with `max_bytes` > 0, cut to at
// most that many bytes (not inside a UTF-8 sequence) and marked with "...". Use it wherever a message quotes
// bytes from an input file, so that every error stays one line and a binary file is not echoed in full.
std::string escape_for_message(const std::string& text, size_t max_bytes = 0);

}  // namespace kvt
