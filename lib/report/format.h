// The one number and text formatter of every report kvtuner writes (Markdown, CSV, SVG, console summaries):
// locale-free, deterministic printf formats with two stated rules, so files are byte-stable:
//   - NaN prints as "n/a" (a measurement that does not exist), ±inf as "inf" / "-inf";
//   - a value that rounds to zero prints without a sign ("-0.000" → "0.000"; "-0e+00" style too).
#pragma once
#include <string>

namespace kvt::report {

// printf "%.<decimals>f".
std::string format_fixed(double value, int decimals);
// printf "%.<digits>g".
std::string format_significant(double value, int digits);
// printf "%.<decimals>e".
std::string format_scientific(double value, int decimals);
// XML text/attribute escaping for SVG: & < > " (the characters that can break an element or attribute).
std::string xml_escape(const std::string& text);

}  // namespace kvt::report
