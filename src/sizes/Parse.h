#pragma once
// Text syntax for variables, sizes, shapes and bindings. Every malformed input raises syno::Error with
// one line naming the text, the column and what was expected.
//
//   specs:    "N=8, C_in: 2, H=28: 2, 3"   name[=value][: maxOccurrences], or an anonymous constant
//   size:     "C_out/g", "H^2*W", "k^-1*C", "1", "3" (a declared anonymous constant)
//   shape:    "[N, C_in: unordered, H, W]"
//   bindings: "C_in=64, H=56; C_in=128, H=28"  one set per ';'
#include <string>
#include <utility>
#include <vector>

#include "sizes/Size.h"
#include "sizes/Variables.h"

namespace syno {

struct ShapeDim {
    Size size;
    bool unordered = false;  // a channel-like dim whose order the weights absorb
    bool operator==(const ShapeDim&) const = default;
};
using Shape = std::vector<ShapeDim>;

std::vector<Variable> parseSpecs(const std::string& text, VarKind kind);
Size parseSize(const std::string& text, const VariableTable& vars);
Shape parseShape(const std::string& text, const VariableTable& vars);
std::vector<std::vector<std::pair<std::string, int64_t>>> parseBindings(const std::string& text);

std::string shapeToString(const Shape& shape, const VariableTable& vars);
std::vector<Size> shapeSizes(const Shape& shape);

}  // namespace syno
