#include "search/writers/front_csv.h"

#include <sstream>

#include "search/writers/text_format.h"

namespace kvt::search {

namespace {

void write_rows(std::ostringstream& out, const SearchResult& r, const ParetoFront& front, const std::string& source) {
  for (size_t i = 0; i < front.size(); ++i) {
    const FrontPoint& p = front[i];
    ConfigScore score = score_config(r.table, p.layer_pairs);
    out << source << ',' << i << ',' << format_significant(p.memory, 10) << ',' << format_fixed(score.nominal_bits, 6)
        << ',' << format_fixed(score.effective_bits, 6) << ',' << format_fixed(score.proxy_error, 9) << ','
        << format_significant(p.error, 10) << ',';
    for (size_t l = 0; l < p.layer_pairs.size(); ++l) out << (l ? " " : "") << r.table.pairs[p.layer_pairs[l]].name();
    out << '\n';
  }
}

}  // namespace

std::string front_csv(const SearchResult& r) {
  std::ostringstream out;
  out << "source,index,memory,nominal_bits,effective_bits,proxy_error,objective_error,config\n";
  write_rows(out, r, r.searched_front, "searched");
  if (r.proxy_objective) {
    write_rows(out, r, r.exact_front, "exact");
    if (r.options.group.enabled) write_rows(out, r, r.exact_front_per_layer, "exact_per_layer");
  }
  return out.str();
}

}  // namespace kvt::search
