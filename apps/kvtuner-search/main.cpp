// kvtuner-search: layer-wise KV-cache precision search (KVTuner, ICML 2025) for Hugging Face models.
#include <cstdio>
#include <exception>

#include "apps/kvtuner-search/commands.h"
#include "apps/kvtuner-search/compute_threads.h"
#include "apps/kvtuner-search/shared_options.h"
#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/core/message_text.h"

int main(int argc, char** argv) {
  CLI::App app{"kvtuner-search: profile a model's KV-cache sensitivity and search layer-wise (key, value) bits"};
  app.set_version_flag("--version", KVT_VERSION);
  app.require_subcommand(1);
  // Set before the commands are added, which inherit it: an option a command does not know goes up to this app,
  // so the global options below work before or after the command name (`kvtuner-search inspect … -q`).
  app.fallthrough();
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress output on stderr (before or after the command name)")
      ->configurable(false);
  int threads = kvt::app::kComputeThreads;
  app.add_option("--threads", threads,
                 "Threads of every computation (default 1; before or after the command name). Outputs are "
                 "byte-identical for one thread count on any machine and whatever OMP_NUM_THREADS says; other counts "
                 "may differ in the last digits")
      ->configurable(false);
  // Before any tensor work: results depend on --threads only, never on the core count or the environment.
  app.parse_complete_callback([&] {
    kvt::set_quiet(quiet);
    kvt::app::set_compute_threads(threads);
  });

  // One line per subcommand; the order is the order of --help.
  kvt::app::register_inspect(app);
  kvt::app::register_perplexity(app);
  kvt::app::register_profile(app);
  kvt::app::register_show(app);
  kvt::app::register_export(app);
  kvt::app::register_search(app);
  kvt::app::register_evaluate(app);
  kvt::app::register_run(app);
  kvt::app::register_tokenize(app);
  kvt::app::register_types(app);

  try {
    // --dtype, --device, --seed, --force written before the command name go to the command's own options.
    std::vector<std::string> args = kvt::app::move_shared_options_after_command(app, argc, argv);
    std::vector<char*> pointers;
    for (auto& arg : args) pointers.push_back(arg.data());
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const kvt::Error& e) {  // one line, even when the message quotes a line break from a file
    std::fprintf(stderr, "kvtuner-search: error: %s\n", kvt::escape_for_message(e.what()).c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvtuner-search: error: %s\n", kvt::escape_for_message(e.what()).c_str());
    return 1;
  }
  return 0;
}
