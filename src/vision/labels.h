// Class-name files in the two common forms: the tutorial's ImageNet file, a printed Python dict
// ("{0: 'tench, Tinca tinca',", " 285: 'Egyptian cat',", ... "999: 'toilet tissue'}"), and plain
// text with one label per line (line i = class i).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vision/topk.h"

namespace flowonnx::vision {

struct LabelFile {
  std::filesystem::path path;
  // labels[i] is the name of class i ("Egyptian cat"); a dict-form file with gaps leaves "".
  std::vector<std::string> labels;
  bool dict_form = false;  // "285: 'Egyptian cat'," lines
};

// Throws IoError when the file cannot be read and InvalidArgument (naming the file and line) for a
// line that mixes forms, a duplicate or absurd index. An empty file gives no labels: the caller
// warns and prints indices.
LabelFile read_labels(const std::filesystem::path& path);

// The labels to print for a model with `num_classes` classes: file.labels when the counts agree;
// otherwise (an empty file, a count that differs) a warning naming the file and no labels, so the
// caller prints class indices instead of wrong names.
std::vector<std::string> labels_for_classes(const LabelFile& file, int64_t num_classes);

// "285: 'Egyptian cat'" — the label as the tutorial prints it; "285" when there is no label.
std::string describe_class(int64_t index, const std::vector<std::string>& labels);

// One printed line per prediction: "#1  285: 'Egyptian cat'   p=0.8123  score 12.3456" (rank from
// 1).
std::string format_prediction(size_t rank, const Prediction& prediction,
                              const std::vector<std::string>& labels);

}  // namespace flowonnx::vision
