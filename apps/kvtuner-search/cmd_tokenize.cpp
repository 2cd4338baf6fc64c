// kvtuner-search tokenize --tokenizer PATH [--input FILE] [--jsonl] [--decode] [--no-special] [--skip-special]
// Text → token ids (or back with --decode) exactly as the model's Hugging Face tokenizer does.
//   plain:   the whole input is one text; prints its ids separated by spaces on one line.
//            --decode reads ids (separated by spaces, commas or newlines; a JSON array works too) and
//            prints the text with nothing added.
//   --jsonl: each non-blank input line is a JSON string; prints one JSON array of ids per line.
//            --decode reads one JSON array per line and prints one JSON string per line.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/error.h"
#include "lib/core/jsonl.h"
#include "lib/core/output.h"
#include "lib/tokenizer/tokenizer.h"

namespace kvt::app {

namespace {

struct TokenizeCommand {
  std::string tokenizer_path, input_path;
  bool jsonl = false, decode = false, no_special = false, skip_special = false;
};

std::string read_input(const std::string& path) {
  if (!path.empty() && path != "-") return read_file(path);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::string join_ids(const std::vector<int64_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? " " : "") + std::to_string(ids[i]);
  return out;
}

// "1 2, 3\n4" or "[1, 2, 3]" → ids.
std::vector<int64_t> parse_plain_ids(const std::string& text, const std::string& where) {
  std::string cleaned = text;
  for (char& c : cleaned)
    if (c == ',' || c == '[' || c == ']') c = ' ';
  std::istringstream in(cleaned);
  std::vector<int64_t> ids;
  std::string word;
  while (in >> word) {
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size() || id < 0) throw InputError(where + ": \"" + word + "\" is not a token id", 740);
    ids.push_back(id);
  }
  return ids;
}

void run_tokenize(const TokenizeCommand& cmd) {
  const auto tokenizer = tok::Tokenizer::load(cmd.tokenizer_path);
  const std::string input = read_input(cmd.input_path);
  const std::string where = cmd.input_path.empty() || cmd.input_path == "-" ? "<stdin>" : cmd.input_path;
  const bool add_special = !cmd.no_special;
  if (!cmd.jsonl) {
    if (cmd.decode) {
      std::string text = tokenizer.decode(parse_plain_ids(input, where), cmd.skip_special);
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::printf("%s\n", join_ids(tokenizer.encode(input, add_special)).c_str());
    }
    return;
  }
  for_each_jsonl_value(input, where, 741, "", [&](const nlohmann::json& value, const std::string& line_where) {
    if (cmd.decode) {
      if (!value.is_array()) throw InputError(line_where + ": expected a JSON array of token ids", 741);
      std::vector<int64_t> ids;
      for (const auto& id : value) {
        if (!id.is_number_integer()) throw InputError(line_where + ": " + id.dump() + " is not a token id", 741);
        ids.push_back(id.get<int64_t>());
      }
      std::printf("%s\n", nlohmann::json(tokenizer.decode(ids, cmd.skip_special)).dump().c_str());
    } else {
      if (!value.is_string()) throw InputError(line_where + ": expected a JSON string", 741);
      std::printf("%s\n", nlohmann::json(tokenizer.encode(value.get<std::string>(), add_special)).dump().c_str());
    }
  });
}

}  // namespace

void register_tokenize(CLI::App& app) {
  auto cmd = std::make_shared<TokenizeCommand>();
  auto* sub = app.add_subcommand("tokenize", "Text to token ids (or back, with --decode) with a model's own tokenizer");
  sub->add_option("--tokenizer", cmd->tokenizer_path,
                  "tokenizer.json, a model directory holding one, or a directory with vocab.json + merges.txt")
      ->required();
  sub->add_option("--input", cmd->input_path, "Read this file instead of stdin");
  sub->add_flag("--jsonl", cmd->jsonl, "One JSON string per input line in, one JSON array of ids per line out");
  sub->add_flag("--decode", cmd->decode, "Ids in, text out");
  sub->add_flag("--no-special", cmd->no_special,
                "Do not add BOS/EOS (by default they are added as the model's tokenizer does)");
  sub->add_flag("--skip-special", cmd->skip_special, "With --decode: leave special tokens out of the text");
  sub->callback([cmd] { run_tokenize(*cmd); });
}

}  // namespace kvt::app
