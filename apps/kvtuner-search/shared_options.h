// The options the README lists as common to every command, wherever they are written. -q/--quiet belongs to
// kvtuner-search itself and works before or after the command name (main() sets CLI11's fallthrough(), so a
// command hands an option it does not know to its parent). --dtype, --device, --seed and --force belong to the
// commands that take them; written before the command name they are moved after it, to the command's own option.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace kvt::app {

// "--dtype", "--device", "--seed", "--force".
const std::vector<std::string>& shared_command_options();

// The arguments (argv[0] first) with every shared command option found before the command name, and its value,
// moved to just after it: `kvtuner-search --force --seed 3 run …` → `kvtuner-search run --force --seed 3 …`.
// Unchanged when no command name is found (CLI11 then reports the missing command).
// @throws InputError (120) when the command does not take a moved option, naming the option and the command.
std::vector<std::string> move_shared_options_after_command(const CLI::App& app, int argc, char** argv);

}  // namespace kvt::app
