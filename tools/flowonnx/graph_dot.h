// `flowonnx info --dot FILE`: the model's graph in Graphviz's dot language, a picture people would
// rather look at than read (`dot -Tsvg model.dot -o model.svg`). One box per node (its name and
// op type), one ellipse per graph input and output, edges labelled with the value's type
// ("f32[N,64,56,56]"); weights are not drawn as nodes but counted in their consumer's box.
#pragma once

#include <string>

#include "ir/graph.h"

namespace flowonnx::cli {

std::string graph_to_dot(const ir::Graph& graph);

}  // namespace flowonnx::cli
