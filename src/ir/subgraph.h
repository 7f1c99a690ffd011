// Subgraphs: the GRAPH / GRAPHS attributes of If (then/else branches), Loop and Scan (body).
// A subgraph reads values of its enclosing graphs by name (outer-scope references), at any
// depth. Code that looks only at node inputs would miss those reads (dead-code elimination,
// liveness, topological order, renames), so while the passes and the runtime work on a graph the
// reads are made explicit: attach_implicit_inputs() appends them to the node's inputs
// (Node::implicit_inputs counts them) and detach_implicit_inputs() removes them again, renaming
// the references inside the subgraphs after any rename a pass made to the attached inputs.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::ir {

// The node's subgraphs in attribute-name order (then_branch before else_branch: "else" < "then"
// is alphabetical, so callers wanting a specific one use Attributes::get_graph).
std::vector<Graph*> subgraphs_of(const Node& node);
bool has_subgraphs(const Node& node);
bool graph_has_subgraphs(const Graph& graph);

// Values the graph defines itself: inputs, initializers and node outputs.
std::set<std::string> defined_values(const Graph& graph);
// Names the node's subgraphs read (node inputs and graph outputs, nested subgraphs included)
// without defining them: values of enclosing scopes, sorted, without implicit inputs already
// attached inside the subgraphs counted twice.
std::vector<std::string> outer_scope_reads(const Node& node);

// See the file comment. attach skips nodes already attached; both recurse into nothing (nested
// subgraphs are attached by whoever plans them).
void attach_implicit_inputs(Graph& graph);
void detach_implicit_inputs(Graph& graph);

// Renames outer-scope reads inside the node's subgraphs (a subgraph that defines a name itself
// shadows it, below that level too).
void rename_outer_reads(const Node& node, const std::map<std::string, std::string>& renames);

// Throws InvalidModel when a subgraph (at any depth) reads a value that neither it nor an
// enclosing graph defines, naming the node, the subgraph and the value. `graph` itself is checked
// by the caller's own structure checks. Nodes with implicit inputs attached are checked through
// those inputs instead (their subgraphs may still spell a renamed value by its old name).
void check_subgraph_scopes(const Graph& graph);

// A deep copy (subgraphs copied too), for code that must change a subgraph it does not own.
GraphPtr clone_graph(const Graph& graph);

// Calls fn on every subgraph of every node, depth first, with the graph that holds it.
void for_each_subgraph(Graph& graph, const std::function<void(Graph& sub, const Graph& outer)>& fn);

}  // namespace flowonnx::ir
