// Command-line options of the post-profile stages, shared by `kvtuner-search search` and `run`.
// Adds --budgets, --memory, --method, --pop, --generations, --seed, --checkpoint-every, --no-group, --eps,
// --min-samples, --groups, --prune-rel-tol, --prune-abs-tol, --per-budget and --name. The caller adds its own
// --out and --force (bind --force to options.force). Values are checked by SearchOptions::validate().
#pragma once
#include <CLI/CLI.hpp>

#include "search/search_options.h"

namespace kvt::app {

// `options` must outlive parsing. Malformed values throw kvt::InputError from the parse.
void add_search_options(CLI::App* app, search::SearchOptions& options);

// "4,6" → {4, 6}. @throws InputError naming --budgets and the item.
std::vector<double> parse_budget_list(const std::string& text);

}  // namespace kvt::app
