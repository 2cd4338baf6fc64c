// Calibration text → documents: .txt (blank-line separated), .jsonl (one record per line), or a
// directory of .txt files (one document per file).
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "calibration/input/calibration_set.h"
#include "lib/core/error.h"
#include "lib/core/jsonl.h"
#include "lib/core/output.h"

namespace kvt::calib {

namespace fs = std::filesystem;

namespace {

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r\f\v") == std::string::npos; }

std::string extension_of(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

// Blocks of non-blank lines; CRLF becomes LF, lines inside a block are kept as they are.
std::vector<std::string> split_blank_lines(const std::string& content) {
  std::vector<std::string> documents;
  std::string current;
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) {
      if (!current.empty()) documents.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current += '\n';
      current += line;
    }
    pos = end + 1;
  }
  if (!current.empty()) documents.push_back(std::move(current));
  return documents;
}

std::string record_text(const nlohmann::json& record, const std::string& field, const std::string& where) {
  if (record.contains(field)) {
    const auto& value = record.at(field);
    if (!value.is_string()) throw InputError(where + ": field \"" + field + "\" is not a string", kErrCalibField);
    return value.get<std::string>();
  }
  // GSM8K-style records: {"question": ..., "answer": ...}.
  if (field == "text" && record.contains("question") && record.at("question").is_string()) {
    std::string text = "Question: " + record.at("question").get<std::string>();
    if (record.contains("answer")) {
      if (!record.at("answer").is_string())
        throw InputError(where + ": field \"answer\" is not a string", kErrCalibField);
      text += "\nAnswer: " + record.at("answer").get<std::string>();
    }
    return text;
  }
  throw InputError(where + ": no field \"" + field + "\" (choose the text field with --calib-field)", kErrCalibField);
}

std::vector<std::string> read_jsonl(const std::string& path, const std::string& field) {
  return jsonl_documents(read_file(path), path, field);
}

}  // namespace

std::vector<std::string> jsonl_documents(const std::string& content, const std::string& path,
                                         const std::string& field) {
  std::vector<std::string> documents;
  for_each_jsonl_value(content, path, kErrCalibJsonl, " (expected one JSON object per line)",
                       [&](const nlohmann::json& record, const std::string& where) {
                         if (!record.is_object()) throw InputError(where + ": expected a JSON object", kErrCalibJsonl);
                         documents.push_back(record_text(record, field, where));
                       });
  return documents;
}

namespace {

std::vector<std::string> read_directory(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && extension_of(entry.path()) == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw InputError("--calib " + dir.string() + ": the directory holds no .txt files", kErrCalibEmpty);
  std::vector<std::string> documents;
  for (const auto& file : files) {
    std::string text = read_file(file.string());
    // One document per file: CRLF → LF, surrounding blank lines removed.
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    size_t begin = text.find_first_not_of(" \t\n");
    if (begin == std::string::npos) continue;
    size_t end = text.find_last_not_of(" \t\n");
    documents.push_back(text.substr(begin, end - begin + 1));
  }
  return documents;
}

std::vector<std::string> apply_template(std::vector<std::string> documents, const std::string& template_path) {
  const std::string placeholder = "{text}";
  std::error_code ec;
  if (!fs::is_regular_file(template_path, ec))
    throw InputError("--calib-template " + template_path + ": does not exist or is not a file", kErrCalibPath);
  std::string pattern = read_file(template_path);
  // A template file's final newline is an editor artefact, not part of the prompt.
  if (!pattern.empty() && pattern.back() == '\n') pattern.pop_back();
  if (!pattern.empty() && pattern.back() == '\r') pattern.pop_back();
  if (pattern.find(placeholder) == std::string::npos)
    throw InputError("--calib-template " + template_path + ": has no {text} placeholder for the document",
                     kErrCalibTemplate);
  for (std::string& document : documents) {
    std::string filled;
    size_t last = 0;
    for (size_t found = pattern.find(placeholder); found != std::string::npos;
         found = pattern.find(placeholder, last)) {
      filled.append(pattern, last, found - last);
      filled += document;
      last = found + placeholder.size();
    }
    filled.append(pattern, last, std::string::npos);
    document = std::move(filled);
  }
  return documents;
}

}  // namespace

std::vector<std::string> read_documents(const std::string& path, const CalibOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("--calib " + path + ": does not exist", kErrCalibPath);
  std::vector<std::string> documents;
  if (fs::is_directory(path)) {
    documents = read_directory(path);
  } else {
    const std::string ext = extension_of(path);
    if (ext == ".json")
      throw InputError(
          "--calib " + path + ": a .json file is not a calibration format; use .jsonl (one record per line) or .txt",
          kErrCalibPath);
    documents = ext == ".jsonl" ? read_jsonl(path, options.field) : split_blank_lines(read_file(path));
  }
  if (documents.empty()) throw InputError("--calib " + path + ": holds no text", kErrCalibEmpty);
  if (!options.template_path.empty()) documents = apply_template(std::move(documents), options.template_path);
  return documents;
}

}  // namespace kvt::calib
