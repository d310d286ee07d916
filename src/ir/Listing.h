#pragma once
// The operator as a list of named statements: the common ground of the text and JSON forms.
// Names: output iterators i0.., reductions r0.., everything else d0.. in definition order.
// toListing numbers dims canonically, so printing a parsed operator gives back the same listing.
#include <memory>
#include <string>
#include <vector>

#include "ir/Operator.h"

namespace syno {

struct Statement {
    std::vector<std::string> names;   // defined dims (two for merge)
    std::string op;                   // sum, mean, split, merge, shift, stride, unfold
    std::vector<std::string> args;    // dim names, sizes or an integer, by op
    int line = 0;                     // source line when parsed from text (0: none), for errors
    bool operator==(const Statement& o) const { return names == o.names && op == o.op && args == o.args; }
};

struct Listing {
    VariableTable vars;
    std::vector<std::string> output;  // sizes
    std::vector<Statement> statements;
    std::vector<std::string> input;
    std::vector<std::vector<std::string>> weights;
    std::vector<std::string> expand;
    bool operator==(const Listing&) const = default;
};

Listing toListing(const Operator& op);
// Builds into `store` when given (it must use the listing's variables), else into a new store.
// Throws syno::Error naming the statement at fault.
Operator fromListing(const Listing& listing, std::shared_ptr<DimStore> store = nullptr);

}  // namespace syno
