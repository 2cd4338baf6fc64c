#include "apps/kvtuner-search/shared_options.h"

#include <algorithm>

#include "lib/core/error.h"

namespace kvt::app {

namespace {

// "--dtype=bfloat16" → "--dtype".
std::string option_name(const std::string& word) { return word.substr(0, word.find('=')); }

bool is_shared(const std::string& word) {
  const auto& names = shared_command_options();
  return std::find(names.begin(), names.end(), option_name(word)) != names.end();
}

const CLI::App* command_named(const CLI::App& app, const std::string& word) {
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
    if (command->get_name() == word) return command;
  return nullptr;
}

// Whether `name` takes a value in the commands that have it (all agree: flags --force, values the rest).
bool takes_value(const CLI::App& app, const std::string& name) {
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
    if (const CLI::Option* option = command->get_option_no_throw(name)) return option->get_items_expected_max() > 0;
  return false;
}

}  // namespace

const std::vector<std::string>& shared_command_options() {
  static const std::vector<std::string> names = {"--dtype", "--device", "--seed", "--force"};
  return names;
}

std::vector<std::string> move_shared_options_after_command(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  std::vector<std::string> before, moved;
  const CLI::App* command = nullptr;
  size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& word = args[i];
    if ((command = command_named(app, word))) break;
    if (!is_shared(word)) {
      before.push_back(word);
      continue;
    }
    moved.push_back(word);
    bool inline_value = word.find('=') != std::string::npos;
    if (!inline_value && takes_value(app, word) && i + 1 < args.size()) moved.push_back(args[++i]);
  }
  if (!command || moved.empty()) return args;
  for (const auto& word : moved)
    if (word.rfind("--", 0) == 0 && !command->get_option_no_throw(option_name(word)))
      throw InputError(option_name(word) + ": the " + command->get_name() + " command has no such option (see " +
                           "kvtuner-search " + command->get_name() + " --help)",
                       120);
  std::vector<std::string> out = {args[0]};
  out.insert(out.end(), before.begin(), before.end());
  out.push_back(args[i]);
  out.insert(out.end(), moved.begin(), moved.end());
  out.insert(out.end(), args.begin() + long(i) + 1, args.end());
  return out;
}

}  // namespace kvt::app
