#pragma once
// The stable, human-readable text form of an operator, and its JSON twin. Both round-trip exactly:
// parse(print(op)) is the same operator (same id) and prints the same text.
//
//   syno-operator 1
//   primary C_in, C_out, H, N, W
//   coefficients k=3
//   output [N, C_out, H, W]
//   r0 = sum(C_in)
//   r1 = sum(k)
//   r2 = sum(k)
//   d0 = unfold(i2, r1)
//   d1 = unfold(i3, r2)
//   input [i0, r0, d0, d1]
//   weight [i1, r0, r1, r2]
//   expand [i1]
#include <memory>
#include <string>

#include "ir/Listing.h"

namespace syno {

std::string printOperator(const Operator& op);
// `fallback` supplies variables when the text declares none; '#' starts a comment.
Operator parseOperator(const std::string& text, const VariableTable* fallback = nullptr,
                       std::shared_ptr<DimStore> store = nullptr);

std::string operatorToJson(const Operator& op, int indent = 2);
Operator operatorFromJson(const std::string& json, std::shared_ptr<DimStore> store = nullptr);

// Reads a file in either form (JSON when it starts with '{'); a missing file or one that is not an
// operator raises syno::Error naming the file.
Operator loadOperatorFile(const std::string& path, const VariableTable* fallback = nullptr);

}  // namespace syno
