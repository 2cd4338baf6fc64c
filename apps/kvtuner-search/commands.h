// Each subcommand of kvtuner-search lives in its own cmd_<name>.cpp and registers itself here.
// A register function adds the subcommand and its options to `app` and sets its callback;
// callbacks throw kvt::Error on bad input and main() turns that into a one-line message.
#pragma once
#include <CLI/CLI.hpp>

namespace kvt::app {

void register_inspect(CLI::App& app);
void register_perplexity(CLI::App& app);
void register_profile(CLI::App& app);
void register_show(CLI::App& app);
void register_export(CLI::App& app);
void register_search(CLI::App& app);
void register_evaluate(CLI::App& app);
void register_run(CLI::App& app);
void register_tokenize(CLI::App& app);
void register_types(CLI::App& app);

}  // namespace kvt::app
