// kvtuner-search: layer-wise KV-cache precision search (KVTuner, ICML 2025) for Hugging Face models.
#include <cstdio>
#include <exception>

#include "apps/kvtuner-search/commands.h"
#include "lib/core/error.h"
#include "lib/core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"kvtuner-search: profile a model's KV-cache sensitivity and search layer-wise (key, value) bits"};
  app.set_version_flag("--version", KVT_VERSION);
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress output on stderr")->configurable(false);
  app.parse_complete_callback([&] { kvt::set_quiet(quiet); });

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const kvt::Error& e) {
    std::fprintf(stderr, "kvtuner-search: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvtuner-search: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
