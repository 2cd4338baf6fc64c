#include "search/nsga2_search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <pagmo/problems/unconstrain.hpp>
#include <pagmo/threading.hpp>
#include <random>
#include <set>
#include <sstream>

#include "lib/core/error.h"

namespace kvt::search {

namespace {

// Shared by every copy pagmo makes of the problem, so the cache of objective values survives the copies.
struct ProblemContext {
  const SearchSpace* space = nullptr;
  std::vector<PrecisionPair> pairs;
  std::vector<int> gene_units;  // unit index of each gene; units with one choice have no gene
  double max_memory = 0;
  bool bounded = false;
  ErrorObjective objective;
  std::map<std::vector<int>, double> objective_cache;
  std::map<double, ArchivedPoint> archive;  // memory → point; errors strictly decrease with memory

  // Adds a feasible evaluated config unless an archived one is at least as good in both objectives.
  void archive_point(const pagmo::vector_double& x, double memory, double error) {
    auto next = archive.upper_bound(memory);
    if (next != archive.begin() && std::prev(next)->second.error <= error) return;
    std::vector<int> genes;
    for (double v : x) genes.push_back(static_cast<int>(std::lround(v)));
    archive[memory] = {std::move(genes), memory, error};
    for (next = archive.upper_bound(memory); next != archive.end() && next->second.error >= error;)
      next = archive.erase(next);
  }

  std::vector<int> choice_of(const pagmo::vector_double& x) const {
    std::vector<int> choice(space->units.size(), 0);
    for (size_t g = 0; g < gene_units.size(); ++g) choice[gene_units[g]] = static_cast<int>(std::lround(x[g]));
    return choice;
  }

  double error_of(const std::vector<int>& choice) {
    if (!objective) return space->proxy_error(choice);
    auto it = objective_cache.find(choice);
    if (it != objective_cache.end()) return it->second;
    std::vector<PrecisionPair> config;
    for (int p : space->layer_pairs(choice)) config.push_back(pairs[p]);
    double error = objective(config);
    if (!std::isfinite(error)) throw InputError("search objective returned a non-finite error", 653);
    objective_cache.emplace(choice, error);
    return error;
  }
};

// pagmo user-defined problem: fitness = [error, memory] (+ [memory - bound] as an inequality when bounded).
struct KvPrecisionProblem {
  std::shared_ptr<ProblemContext> context;

  pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    std::vector<int> choice = context->choice_of(x);
    double memory = context->space->memory(choice);
    if (context->bounded && !within_budget(memory, context->max_memory))  // the death penalty replaces both
      return {0.0, memory, memory - context->max_memory};
    double error = context->error_of(choice);
    context->archive_point(x, memory, error);
    if (!context->bounded) return {error, memory};
    return {error, memory, -1.0};
  }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double lower, upper;
    for (int u : context->gene_units) {
      lower.push_back(0);
      upper.push_back(static_cast<double>(context->space->units[u].choices.size() - 1));
    }
    return {lower, upper};
  }
  pagmo::vector_double::size_type get_nobj() const { return 2; }
  pagmo::vector_double::size_type get_nic() const { return context->bounded ? 1 : 0; }
  pagmo::vector_double::size_type get_nix() const { return context->gene_units.size(); }
  // A custom objective may run a model: keep pagmo from calling it from several threads.
  pagmo::thread_safety get_thread_safety() const { return pagmo::thread_safety::none; }
  std::string get_name() const { return "kvtuner layer-wise KV precision"; }
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

pagmo::vector_double to_decision_vector(const std::vector<int>& genes) {
  return pagmo::vector_double(genes.begin(), genes.end());
}

void check_resume_state(const Nsga2State& state, const Nsga2Options& options, const ProblemContext& context) {
  auto mismatch = [](const std::string& what) {
    throw InputError("NSGA-II checkpoint does not fit this search: " + what + "; pass --force to start over", 652);
  };
  if (state.genes.size() != static_cast<size_t>(options.population) || state.fitness.size() != state.genes.size())
    mismatch("it holds " + std::to_string(state.genes.size()) + " individuals, --pop is " +
             std::to_string(options.population));
  for (size_t i = 0; i < state.genes.size(); ++i) {
    if (state.genes[i].size() != context.gene_units.size() || state.fitness[i].size() != 2)
      mismatch("individual " + std::to_string(i) + " has the wrong number of genes or objectives");
    for (size_t g = 0; g < state.genes[i].size(); ++g) {
      int value = state.genes[i][g];
      if (value < 0 || static_cast<size_t>(value) >= context.space->units[context.gene_units[g]].choices.size())
        mismatch("gene " + std::to_string(g) + " of individual " + std::to_string(i) + " is out of range");
    }
  }
  for (size_t i = 0; i < state.archive.size(); ++i) {
    const auto& genes = state.archive[i].genes;
    bool fits = genes.size() == context.gene_units.size();
    for (size_t g = 0; fits && g < genes.size(); ++g)
      fits =
          genes[g] >= 0 && static_cast<size_t>(genes[g]) < context.space->units[context.gene_units[g]].choices.size();
    if (!fits) mismatch("archive entry " + std::to_string(i) + " does not fit the genes");
  }
  if (state.generation < 0 || state.generation > options.generations)
    mismatch("it is at generation " + std::to_string(state.generation) + ", beyond --generations " +
             std::to_string(options.generations));
}

// The objective values a checkpoint records must be what its genes give on this problem: an edited value would
// steer the search and the front (say an archive error of 0 everywhere). Recomputes every archive entry and every
// individual's fitness (custom objectives are called, memoized) and refuses the first that differs.
void check_resume_values(const Nsga2State& state, const pagmo::problem& problem, ProblemContext& context) {
  auto close = [](double recorded, double computed) {
    return recorded == computed ||
           std::fabs(recorded - computed) <= 1e-9 * std::max(std::fabs(recorded), std::fabs(computed));
  };
  auto differs = [](const std::string& field, double recorded, double computed) {
    std::ostringstream os;
    os.precision(17);
    os << "NSGA-II checkpoint field " << field << " is " << recorded << " but its genes give " << computed
       << " on this table; pass --force to start over";
    throw InputError(os.str(), 656);
  };
  for (size_t i = 0; i < state.archive.size(); ++i) {
    const ArchivedPoint& point = state.archive[i];
    const std::vector<int> choice = context.choice_of(to_decision_vector(point.genes));
    const std::string field = "archive[" + std::to_string(i) + "]";
    const double memory = context.space->memory(choice);
    if (!close(point.memory, memory)) differs(field + ".memory", point.memory, memory);
    if (context.bounded && !within_budget(memory, context.max_memory))
      differs(field + ".memory (above the memory bound " + std::to_string(context.max_memory) + ")", point.memory,
              memory);
    const double error = context.error_of(choice);
    if (!close(point.error, error)) differs(field + ".error", point.error, error);
  }
  for (size_t i = 0; i < state.genes.size(); ++i) {
    const pagmo::vector_double f = problem.fitness(to_decision_vector(state.genes[i]));
    for (size_t k = 0; k < 2 && k < f.size(); ++k)
      if (!close(state.fitness[i][k], f[k]))
        differs("fitness[" + std::to_string(i) + "][" + std::to_string(k) + "]", state.fitness[i][k], f[k]);
  }
}

// The genes of a per-layer config (table pair indices), or nothing when the space cannot express it.
std::optional<std::vector<int>> genes_of(const std::vector<int>& layer_pairs, const ProblemContext& context) {
  std::vector<int> genes;
  for (int u : context.gene_units) {
    const SearchUnit& unit = context.space->units[size_t(u)];
    int found = -1;
    for (size_t c = 0; c < unit.choices.size() && found < 0; ++c) {
      bool all = true;
      for (int layer : unit.layers)
        all = all && size_t(layer) < layer_pairs.size() && layer_pairs[size_t(layer)] == unit.choices[c];
      if (all) found = int(c);
    }
    if (found < 0) return std::nullopt;
    genes.push_back(found);
  }
  for (size_t u = 0; u < context.space->units.size(); ++u) {  // single-choice units must agree too
    const SearchUnit& unit = context.space->units[u];
    if (unit.choices.size() != 1) continue;
    for (int layer : unit.layers)
      if (size_t(layer) >= layer_pairs.size() || layer_pairs[size_t(layer)] != unit.choices[0]) return std::nullopt;
  }
  return genes;
}

// The seeds first, then uniform-level configs (gene i = level, capped per unit: every unit at its k-th candidate),
// then random ones.
pagmo::population initial_population(const pagmo::problem& problem, const ProblemContext& context,
                                     const Nsga2Options& options, const std::vector<std::vector<int>>& seeds) {
  pagmo::population pop(problem, 0u, options.seed);
  std::set<std::vector<int>> seeded;
  for (const auto& layer_pairs : seeds) {
    if (int(pop.size()) >= options.population) break;
    auto genes = genes_of(layer_pairs, context);
    if (genes && seeded.insert(*genes).second) pop.push_back(to_decision_vector(*genes));
  }
  size_t max_choices = 0;
  for (int u : context.gene_units) max_choices = std::max(max_choices, context.space->units[u].choices.size());
  std::mt19937_64 rng(options.seed);
  for (int i = 0; int(pop.size()) < options.population; ++i) {
    std::vector<int> genes;
    for (int u : context.gene_units) {
      auto n = static_cast<int>(context.space->units[u].choices.size());
      genes.push_back(static_cast<size_t>(i) < max_choices ? std::min(i, n - 1) : static_cast<int>(rng() % n));
    }
    pop.push_back(to_decision_vector(genes));
  }
  return pop;
}

Nsga2State snapshot(const pagmo::population& pop, const ProblemContext& context, const Nsga2Options& options,
                    const std::string& fingerprint, int generation) {
  Nsga2State state;
  state.fingerprint = fingerprint;
  state.seed = options.seed;
  state.generation = generation;
  for (const auto& x : pop.get_x()) {
    std::vector<int> genes;
    for (double v : x) genes.push_back(static_cast<int>(std::lround(v)));
    state.genes.push_back(std::move(genes));
  }
  state.fitness = pop.get_f();
  for (const auto& entry : context.archive) state.archive.push_back(entry.second);
  return state;
}

}  // namespace

void validate(const Nsga2Options& o) {
  // pagmo::nsga2::evolve: "at least 5 individuals ... and the population size must be a multiple of 4".
  if (o.population < 8 || o.population % 4 != 0 || o.population > 100000)
    throw InputError("--pop " + std::to_string(o.population) +
                         ": NSGA-II needs a population of at least 5 that is a multiple of 4 (8, 12, ..., 100000)",
                     650);
  if (o.generations < 1 || o.generations > 1000000)
    throw InputError("--generations " + std::to_string(o.generations) + ": expected 1..1000000", 650);
  if (!(o.crossover >= 0 && o.crossover < 1)) throw InputError("NSGA-II crossover probability must be in [0, 1)", 650);
  if (!(o.mutation >= 0 && o.mutation <= 1)) throw InputError("NSGA-II mutation probability must be in [0, 1]", 650);
  if (!(o.eta_c >= 1 && o.eta_c <= 100) || !(o.eta_m >= 1 && o.eta_m <= 100))
    throw InputError("NSGA-II distribution indices must be in [1, 100]", 650);
  if (o.checkpoint_every < 1) throw InputError("--checkpoint-every: expected an integer >= 1", 650);
}

unsigned generation_seed(unsigned seed, int generation) {
  return static_cast<unsigned>(splitmix64((static_cast<uint64_t>(seed) << 32) ^ static_cast<uint64_t>(generation)));
}

Nsga2Result run_nsga2(const SearchSpace& space, const std::vector<PrecisionPair>& table_pairs,
                      const Nsga2Options& options, double max_memory, const ErrorObjective& objective,
                      const std::string& fingerprint, const Nsga2Hooks& hooks) {
  validate(options);
  auto context = std::make_shared<ProblemContext>();
  context->space = &space;
  context->pairs = table_pairs;
  context->max_memory = max_memory;
  context->bounded = std::isfinite(max_memory);
  context->objective = objective;
  for (size_t u = 0; u < space.units.size(); ++u)
    if (space.units[u].choices.size() > 1) context->gene_units.push_back(static_cast<int>(u));

  Nsga2Result result;
  result.num_genes = static_cast<int>(context->gene_units.size());
  auto feasible_point = [&](const std::vector<int>& choice) -> std::vector<FrontPoint> {
    double memory = space.memory(choice);
    if (!within_budget(memory, max_memory)) return {};
    return {FrontPoint{choice, space.layer_pairs(choice), memory, context->error_of(choice)}};
  };
  if (context->gene_units.empty()) {  // every unit has one candidate: nothing to search
    result.front = feasible_point(std::vector<int>(space.units.size(), 0));
    result.state.fingerprint = fingerprint;
    result.state.seed = options.seed;
    result.state.generation = options.generations;
    return result;
  }

  KvPrecisionProblem udp{context};
  pagmo::problem problem =
      context->bounded ? pagmo::problem(pagmo::unconstrain(udp, "death penalty")) : pagmo::problem(udp);
  pagmo::population pop;
  if (hooks.resume) {
    check_resume_state(*hooks.resume, options, *context);
    pop = pagmo::population(problem, 0u, options.seed);
    for (size_t i = 0; i < hooks.resume->genes.size(); ++i)
      pop.push_back(to_decision_vector(hooks.resume->genes[i]), hooks.resume->fitness[i]);
    for (const auto& point : hooks.resume->archive) context->archive[point.memory] = point;
    check_resume_values(*hooks.resume, problem, *context);
    result.resumed_from = hooks.resume->generation;
  } else {
    pop = initial_population(problem, *context, options, hooks.seeds);
  }

  double mutation = options.mutation > 0 ? options.mutation : 1.0 / static_cast<double>(context->gene_units.size());
  for (int generation = result.resumed_from; generation < options.generations; ++generation) {
    pagmo::nsga2 algorithm(1u, options.crossover, options.eta_c, mutation, options.eta_m,
                           generation_seed(options.seed, generation));
    pop = algorithm.evolve(pop);
    int done = generation + 1;
    if (hooks.on_generation) hooks.on_generation(done, options.generations);
    if (hooks.on_checkpoint && (done % options.checkpoint_every == 0 || done == options.generations))
      hooks.on_checkpoint(snapshot(pop, *context, options, fingerprint, done));
  }

  result.state = snapshot(pop, *context, options, fingerprint, options.generations);
  // The archive holds every evaluated config's best; its values need no new objective calls.
  std::vector<FrontPoint> points;
  for (const auto& point : result.state.archive) {
    std::vector<int> choice = context->choice_of(to_decision_vector(point.genes));
    points.push_back({choice, space.layer_pairs(choice), point.memory, point.error});
  }
  result.front = nondominated(points);
  return result;
}

}  // namespace kvt::search
