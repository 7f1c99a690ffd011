#include "vision/labels.h"

#include <optional>
#include <set>
#include <string_view>

#include "base/error.h"
#include "base/file_util.h"
#include "base/logging.h"

namespace flowonnx::vision {
namespace {

std::string_view trim(std::string_view text) {
  const char* space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

struct DictEntry {
  int64_t index;
  std::string label;
};

// Parses `[{] INDEX: 'LABEL' [,] [}]` (either quote); nullopt when the line is not of that form.
std::optional<DictEntry> parse_dict_line(std::string_view line) {
  line = trim(line);
  if (!line.empty() && line.front() == '{') line = trim(line.substr(1));
  if (!line.empty() && line.back() == '}') line = trim(line.substr(0, line.size() - 1));
  if (!line.empty() && line.back() == ',') line = trim(line.substr(0, line.size() - 1));
  size_t digits = 0;
  while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  std::string_view rest = trim(line.substr(digits));
  if (rest.empty() || rest.front() != ':') return std::nullopt;
  rest = trim(rest.substr(1));
  if (rest.size() < 2 || (rest.front() != '\'' && rest.front() != '"') ||
      rest.back() != rest.front())
    return std::nullopt;
  return DictEntry{std::stoll(std::string(line.substr(0, digits))),
                   std::string(rest.substr(1, rest.size() - 2))};
}

}  // namespace

LabelFile read_labels(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  LabelFile file;
  file.path = path;
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty()) return file;

  file.dict_form = parse_dict_line(lines.front()).has_value();
  if (!file.dict_form) {
    for (std::string_view line : lines) {
      std::string_view stripped = line;
      if (!stripped.empty() && stripped.back() == '\r') stripped.remove_suffix(1);
      file.labels.emplace_back(trim(stripped));
    }
    return file;
  }
  std::set<int64_t> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).empty()) continue;
    std::optional<DictEntry> entry = parse_dict_line(lines[i]);
    FLOWONNX_REQUIRE(
        entry.has_value(),
        "labels {} line {}: expected `INDEX: 'label',` like the lines before, got '{}'",
        path.string(), i + 1, trim(lines[i]));
    FLOWONNX_REQUIRE(entry->index < 1000000, "labels {} line {}: class index {} is absurdly large",
                     path.string(), i + 1, entry->index);
    FLOWONNX_REQUIRE(seen.insert(entry->index).second, "labels {} line {}: class {} appears twice",
                     path.string(), i + 1, entry->index);
    if (static_cast<size_t>(entry->index) >= file.labels.size())
      file.labels.resize(entry->index + 1);
    file.labels[entry->index] = std::move(entry->label);
  }
  return file;
}

std::vector<std::string> labels_for_classes(const LabelFile& file, int64_t num_classes) {
  if (file.labels.empty()) {
    log_warning("labels {}: the file has no labels; printing class indices", file.path.string());
    return {};
  }
  if (static_cast<int64_t>(file.labels.size()) != num_classes) {
    log_warning("labels {}: {} labels but the model has {} classes; printing class indices",
                file.path.string(), file.labels.size(), num_classes);
    return {};
  }
  return file.labels;
}

std::string describe_class(int64_t index, const std::vector<std::string>& labels) {
  if (index >= 0 && static_cast<size_t>(index) < labels.size() && !labels[index].empty())
    return fmt::format("{}: '{}'", index, labels[index]);
  return std::to_string(index);
}

std::string format_prediction(size_t rank, const Prediction& prediction,
                              const std::vector<std::string>& labels) {
  return fmt::format("#{}  {:<40}  p={:.4f}  score {:.4f}", rank,
                     describe_class(prediction.index, labels), prediction.probability,
                     prediction.score);
}

}  // namespace flowonnx::vision
