// Hostile input for the core readers (issue 14): integers narrowed without a range check, numbers beyond double,
// JSON nested without bound, non-regular files, and table / config metadata that is not what kvtuner wrote.
// Each is refused with one line naming the file and the field.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "lib/core/error.h"
#include "lib/core/json_limits.h"
#include "lib/core/kv_config.h"
#include "lib/core/message_text.h"
#include "lib/core/output.h"
#include "lib/core/sensitivity_table.h"
#include "tests/support/error_text.h"

using namespace kvt;
using kvt::test::error_of;
namespace fs = std::filesystem;

namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

SensitivityTable two_layer_table() {
  SensitivityTable t;
  t.model_name = "tiny";
  t.scheme = "kivi";
  t.prefill_mode = "prefill-fp";
  t.num_layers = 2;
  t.num_kv_heads = 2;
  t.head_dim = 64;
  t.pairs = {{8, 8}, {4, 2}};
  t.e_o = {{0.1, 0.2}, {0.3, 0.4}};
  return t;
}

std::string table_error(const nlohmann::json& j) {
  return error_of([&] { parse_sensitivity_table(j.dump(), "t.json"); });
}

}  // namespace

TEST_CASE("json_nesting_depth counts brackets outside strings and stops past the limit", "[core]") {
  CHECK(json_nesting_depth("{}") == 1);
  CHECK(json_nesting_depth(R"({"a": [1, {"b": "[[[[\"]]"}]})") == 3);
  CHECK(json_nesting_depth(nested_arrays(128)) == 128);
  CHECK(json_nesting_depth(nested_arrays(1000000)) == kMaxJsonDepth + 1);
  CHECK_NOTHROW(check_json_depth(nested_arrays(128), "x.json", 1));
  CHECK(
      error_of([] { check_json_depth(nested_arrays(129), "x.json", 610); }) ==
      "[kvt.input.610] x.json: JSON nested deeper than 128 levels (the limit of the Hugging Face readers, serde_json)");
}

TEST_CASE("table fault: integers are range-checked in 64 bits before narrowing", "[core]") {
  nlohmann::json j = to_json(two_layer_table());
  j["num_layers"] = (int64_t(1) << 32) + 2;  // used to be read as 2 and searched
  CHECK(table_error(j) ==
        "[kvt.input.605] t.json: field 'num_layers' is 4294967298, out of range (at most 2147483647)");
  j = to_json(two_layer_table());
  j["head_dim"] = uint64_t(1) << 63;
  CHECK(table_error(j) ==
        "[kvt.input.605] t.json: field 'head_dim' is 9223372036854775808, out of range (at most 2147483647)");
  j = to_json(two_layer_table());
  j["format_version"] = (int64_t(1) << 32) + 1;  // not version 1
  CHECK_THAT(table_error(j), Catch::StartsWith("[kvt.input.605] t.json: field 'format_version'"));
  j = to_json(two_layer_table());
  j["num_tokens"] = int64_t(1) << 40;  // a long count is fine
  CHECK(parse_sensitivity_table(j.dump(), "t.json").num_tokens == int64_t(1) << 40);
}

TEST_CASE("table fault: 1e400 is an input error naming the file, not a raw json exception", "[core]") {
  std::string text = to_json(two_layer_table()).dump();
  text.replace(text.find("0.4"), 3, "1e400");
  const std::string error = error_of([&] { parse_sensitivity_table(text, "t.json"); });
  CHECK_THAT(error, Catch::StartsWith("[kvt.input.610] t.json: not valid JSON (") &&
                        Catch::EndsWith("every number must fit a double)"));
  CHECK(error.find('\n') == std::string::npos);
}

TEST_CASE("parse_json: one line naming the source, nlohmann's reason without its prefix, and the hint", "[core]") {
  CHECK(parse_json(R"({"a": [1, 2]})", "x.json", 1)["a"][1] == 2);
  const std::string syntax = error_of([] { parse_json("{\"a\": }", "x.json", 722, "; expected an object"); });
  CHECK_THAT(syntax, Catch::StartsWith("[kvt.input.722] x.json: not valid JSON (parse error at line 1, column 7") &&
                         Catch::EndsWith("); expected an object"));
  CHECK(syntax.find("json.exception") == std::string::npos);
  CHECK(syntax.find('\n') == std::string::npos);
  CHECK_THAT(error_of([] { parse_json("[1e400]", "x.json", 610); }),
             Catch::StartsWith("[kvt.input.610] x.json: not valid JSON (number overflow") &&
                 Catch::EndsWith("every number must fit a double)"));
  // An unterminated string: nlohmann quotes all of it as the last token read; the message keeps 40 bytes of it
  // (found by fuzz_safetensors_index and fuzz_calib_jsonl, whose error lines grew past 4 KB).
  const std::string long_token =
      error_of([] { parse_json("[\"" + std::string(10000, 'J') + "\u00e9", "x.json", 330); });
  CHECK_THAT(long_token,
             Catch::Contains("last read: '\"" + std::string(39, 'J') + "...' (") && Catch::EndsWith(" more bytes))"));
  CHECK(long_token.size() < 300);
  CHECK(long_token.find('\n') == std::string::npos);
  CHECK_THAT(error_of([] { parse_json(nested_arrays(129), "x.json", 5); }),
             Catch::StartsWith("[kvt.input.5] x.json: JSON nested deeper than 128 levels"));
}

TEST_CASE("table fault: nesting beyond the JSON limit is refused before parsing", "[core]") {
  std::string text = to_json(two_layer_table()).dump();
  text.insert(text.size() - 1, ",\"x\":" + nested_arrays(100000));
  CHECK(
      error_of([&] { parse_sensitivity_table(text, "t.json"); }) ==
      "[kvt.input.610] t.json: JSON nested deeper than 128 levels (the limit of the Hugging Face readers, serde_json)");
}

TEST_CASE("table fault: metadata that no profile writes is refused", "[core]") {
  SensitivityTable t = two_layer_table();
  CHECK_NOTHROW(t.validate("t.json"));
  {
    auto b = t;
    b.head_dim = 0;
    CHECK(error_of([&] { b.validate("t.json"); }) ==
          "[kvt.input.606] t.json: scheme 'kivi' is recorded but num_kv_heads = 2 "
          "and head_dim = 0; a profiled table has both >= 1");
  }
  {
    auto b = t;
    b.scheme_params = "banana";
    CHECK(error_of([&] { b.validate("t.json"); }) ==
          "[kvt.input.605] t.json: field 'scheme_params' must be an object, got string");
  }
  {
    auto b = t;
    b.prefill_mode = "banana";
    CHECK(error_of([&] { b.validate("t.json"); }) ==
          "[kvt.input.605] t.json: prefill_mode is 'banana', expected prefill-fp or prefill-quantized");
  }
  {
    auto b = t;
    b.scheme = "";
    b.head_dim = 0;
    b.num_kv_heads = 0;
    CHECK_NOTHROW(b.validate("t.json"));
  }  // synthetic
}

TEST_CASE("table fault: errors whose per-layer sum overflows a double are refused", "[core]") {
  SensitivityTable t = two_layer_table();
  t.e_o = {{1e308, 1e308}, {1e308, 1e308}};  // each finite, their sum is not
  CHECK(error_of([&] { t.validate("t.json"); }) ==
        "[kvt.input.603] t.json: e_o: the largest values of the 2 layers add up to more than the largest double; the "
        "search sums one value per layer");
  t.e_o = {{5e-324, 5e-324}, {5e-324, 5e-324}};  // tiny but meaningful: accepted (the plot copes, tests/search)
  CHECK_NOTHROW(t.validate("t.json"));
}

TEST_CASE("config fault: JSON integers are range-checked in 64 bits", "[core][kv_config]") {
  auto json_config = [](const std::string& key_bits, const std::string& layer) {
    return R"({"layers": [{"layer": )" + layer + R"(, "nbits_key": )" + key_bits + R"(, "nbits_value": 4}]})";
  };
  CHECK_NOTHROW(parse_kv_config_yaml(json_config("4", "0"), "c.json"));
  CHECK(error_of([&] { parse_kv_config_yaml(json_config("4294967300", "0"), "c.json"); }) ==  // 2^32 + 4, not 4
        "[kvt.input.804] c.json: layer 0: nbits_key = 4294967300 is not in 1..8 or 16");
  CHECK(error_of([&] { parse_kv_config_yaml(json_config("18446744073709551615", "0"), "c.json"); }) ==
        "[kvt.input.804] c.json: layer 0: nbits_key = 18446744073709551615 is not in 1..8 or 16");
  CHECK(error_of([&] { parse_kv_config_yaml(json_config("4", "4294967296"), "c.json"); }) ==  // 2^32, not layer 0
        "[kvt.input.811] c.json: layers: layer 0 is missing (layer must run 0..0 without gaps)");
}

TEST_CASE("config fault: metadata kvtuner reads back is type-checked", "[core][kv_config]") {
  const std::string layers = "0:\n  nbits_key: 4\n  nbits_value: 4\n";
  CHECK_NOTHROW(parse_kv_config_yaml("# kvtuner: {\"scheme\": \"kivi\", \"head_dim\": 64}\n" + layers, "c.yaml"));
  CHECK(error_of([&] { parse_kv_config_yaml("# kvtuner: {\"head_dim\": 0}\n" + layers, "c.yaml"); }) ==
        "[kvt.input.813] c.yaml: metadata 'head_dim' must be a positive integer, got 0");
  CHECK(error_of([&] { parse_kv_config_yaml("# kvtuner: {\"scheme_params\": 3}\n" + layers, "c.yaml"); }) ==
        "[kvt.input.813] c.yaml: metadata 'scheme_params' must be an object, got 3");
  CHECK(error_of([&] { parse_kv_config_yaml("# kvtuner: {\"scheme\": 7}\n" + layers, "c.yaml"); }) ==
        "[kvt.input.813] c.yaml: metadata 'scheme' must be a string, got 7");
  CHECK(
      error_of([&] { parse_kv_config_yaml("# kvtuner: {\"x\": " + nested_arrays(5000) + "}\n" + layers, "c.yaml"); }) ==
      "[kvt.input.813] c.yaml:1: '# kvtuner:' metadata line: JSON nested deeper than 128 levels (the limit of the "
      "Hugging Face readers, "
      "serde_json)");
}

TEST_CASE("input fault: read_file refuses what is not a regular file, without blocking", "[core]") {
  fs::path dir = fs::temp_directory_path() / ("kvt_reader_limits_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string fifo = (dir / "fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // no writer: a blocking open would wait forever
  CHECK(error_of([&] { read_file(fifo); }) ==
        "[kvt.input.114] " + fifo + ": is not a regular file (a FIFO), expected a file");
  CHECK(error_of([&] { read_kv_config(fifo); }) ==
        "[kvt.input.114] " + fifo + ": is not a regular file (a FIFO), expected a file");
  CHECK(error_of([] { read_file("/dev/zero"); }) ==
        "[kvt.input.114] /dev/zero: is not a regular file (a character device), expected a file");
  CHECK(error_of([&] { read_sensitivity_table(dir.string()); }) ==
        "[kvt.input.114] " + dir.string() + ": is a directory, expected a file");
  const std::string missing = (dir / "none.json").string();
  CHECK(error_of([&] { read_file(missing); }) ==
        "[kvt.input.115] " + missing + ": cannot open: No such file or directory");
  std::ofstream(dir / "ok.txt") << "hello";
  fs::create_symlink(dir / "ok.txt", dir / "link.txt");  // a link to a regular file is fine
  CHECK(read_file((dir / "link.txt").string()) == "hello");
  fs::remove_all(dir);
}

TEST_CASE("config fault: a binary file is not echoed into the error line", "[core][kv_config]") {
  // Found by fuzz_kv_config: the scalar's bytes, line breaks included, went into the message whole.
  const std::string binary = std::string(
                                 "\x11\xa9"
                                 "forma=\n  \n  nbi\xff\xff\xff\xfbt",
                                 20) +
                             std::string(15000, 'x');
  const std::string error = error_of([&] { parse_kv_config_yaml(binary, "bin.yaml"); });
  CHECK_THAT(error, Catch::StartsWith("[kvt.input.802] bin.yaml: expected a mapping of layer index"));
  CHECK(error.size() < 250);
  CHECK(error.find('\n') == std::string::npos);
  CHECK(escape_for_message("a\nb\r\x01\xe2\x96\x81\xff", 0) == "a\\nb\\r\\x01\xe2\x96\x81\\xff");
  CHECK(escape_for_message("ab\xe2\x96\x81", 3) == "ab...");  // never cut inside a UTF-8 sequence
}

TEST_CASE("config fault: input on which yaml-cpp's LoadAll never returns is refused at once", "[core][kv_config]") {
  // Found by fuzz_kv_config: YAML::LoadAll(",") loops forever (yaml-cpp 0.7), so `show --config` hung.
  for (const std::string text : {",", "0: {nbits_key: 4, nbits_value: 4}\n,\n", ",,,"}) {
    CAPTURE(text);
    CHECK_THAT(error_of([&] { parse_kv_config_yaml(text, "c.yaml"); }),
               Catch::StartsWith("[kvt.input.802] c.yaml: not valid YAML"));
  }
  CHECK_THAT(error_of([] {
               parse_kv_config_yaml("0: {nbits_key: 4, nbits_value: 4}\n---\n0: {nbits_key: 2, nbits_value: 2}\n",
                                    "c.yaml");
             }),
             Catch::StartsWith("[kvt.input.802] c.yaml: holds 2 YAML documents (the second starts at line 3)"));
}
