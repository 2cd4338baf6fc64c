#include "lib/core/jsonl.h"

#include "lib/core/error.h"
#include "lib/core/json_limits.h"

namespace kvt {

void for_each_jsonl_value(const std::string& content, const std::string& source, int parse_error_id,
                          const std::string& expected,
                          const std::function<void(const nlohmann::json&, const std::string&)>& on_value) {
  size_t pos = 0;
  for (size_t line_no = 1; pos < content.size(); ++line_no) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    const std::string line = content.substr(pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    on_value(parse_json(line, where, parse_error_id, expected), where);
  }
}

}  // namespace kvt
