#include "ir/attribute.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/graph.h"

namespace flowonnx::ir {

const char* attr_kind_name(const AttrValue& value) {
  static const char* const kNames[] = {"int", "float", "string", "tensor", "ints", "floats", "strings",
                                        "graph", "graphs"};
  return kNames[value.index()];
}

std::string attr_to_string(const AttrValue& value) {
  struct Printer {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& v) const { return fmt::format("\"{}\"", v); }
    std::string operator()(const Tensor& v) const { return v.describe(); }
    std::string operator()(const std::vector<int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
    std::string operator()(const std::vector<double>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
    std::string operator()(const std::vector<std::string>& v) const {
      return fmt::format("[\"{}\"]", fmt::join(v, "\",\""));
    }
    std::string operator()(const GraphPtr& v) const {
      return fmt::format("graph({}, {} nodes)", v ? v->name : "null", v ? v->nodes().size() : 0);
    }
    std::string operator()(const std::vector<GraphPtr>& v) const {
      std::string text = "[";
      for (const auto& g : v) text += (text.size() > 1 ? "," : "") + (*this)(g);
      return text + "]";
    }
  };
  return std::visit(Printer{}, value);
}

const AttrValue& Attributes::get(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) fail(ErrorCode::InvalidArgument, "missing attribute '{}'", name);
  return found->second;
}

namespace {
template <typename T>
const T& get_as(const Attributes& attrs, const std::string& name, const char* expected) {
  const AttrValue& value = attrs.get(name);
  if (const T* typed = std::get_if<T>(&value)) return *typed;
  fail(ErrorCode::InvalidArgument, "attribute '{}' is {}, expected {}", name,
       attr_kind_name(value), expected);
}
}  // namespace

int64_t Attributes::get_int(const std::string& name) const { return get_as<int64_t>(*this, name, "int"); }

double Attributes::get_float(const std::string& name) const {
  if (const int64_t* integer = std::get_if<int64_t>(&get(name))) return static_cast<double>(*integer);
  return get_as<double>(*this, name, "float");
}

const std::string& Attributes::get_string(const std::string& name) const {
  return get_as<std::string>(*this, name, "string");
}

const Tensor& Attributes::get_tensor(const std::string& name) const {
  return get_as<Tensor>(*this, name, "tensor");
}

const std::vector<int64_t>& Attributes::get_ints(const std::string& name) const {
  return get_as<std::vector<int64_t>>(*this, name, "ints");
}

const std::vector<double>& Attributes::get_floats(const std::string& name) const {
  return get_as<std::vector<double>>(*this, name, "floats");
}

const GraphPtr& Attributes::get_graph(const std::string& name) const {
  const GraphPtr& graph = get_as<GraphPtr>(*this, name, "graph");
  if (!graph) fail(ErrorCode::InvalidArgument, "attribute '{}' holds no graph", name);
  return graph;
}

}  // namespace flowonnx::ir
