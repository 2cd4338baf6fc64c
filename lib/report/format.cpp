#include "lib/report/format.h"

#include <cmath>
#include <cstdio>

namespace kvt::report {

namespace {

// printf with the NaN and negative-zero rules of format.h.
std::string printed(const char* conversion, int precision, double value) {
  if (std::isnan(value)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, conversion, precision, value);
  std::string s = buf;
  // "-0.000", "-0", "-0.00e+00": every digit before the exponent is zero.
  if (s[0] == '-') {
    const size_t exponent = s.find_first_of("eE");
    const std::string mantissa = s.substr(1, exponent == std::string::npos ? std::string::npos : exponent - 1);
    if (mantissa.find_first_not_of("0.") == std::string::npos) s.erase(0, 1);
  }
  return s;
}

}  // namespace

std::string format_fixed(double value, int decimals) { return printed("%.*f", decimals, value); }

std::string format_significant(double value, int digits) { return printed("%.*g", digits, value); }

std::string format_scientific(double value, int decimals) { return printed("%.*e", decimals, value); }

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace kvt::report
