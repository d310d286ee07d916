#pragma once
// The dimension graph of an operator in Graphviz's DOT language: the input and weight tensors at the
// top, each axis an edge into the primitive that defines it (split, merge, shift, stride, unfold), down
// to the output iterators and the reductions. Read top to bottom it is the data flow of the operator.
#include <string>

#include "ir/Operator.h"

namespace syno::report {

std::string operatorDot(const Operator& op);

}  // namespace syno::report
