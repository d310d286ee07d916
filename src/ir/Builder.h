#pragma once
// Writing operators by hand, from the output upward (the direction the IR is defined in). Each call
// checks what it can without concrete values (sizes are valid dimensions, blocks divide symbolically);
// build() checks the whole structure. Used by tests, by the library of known layers and by users who
// seed a search.
//
//   OperatorBuilder b(vars);
//   auto out = b.output("[N, C_out, H, W]");          // i0..i3
//   Dim cin = b.sum("C_in"), kh = b.sum("k"), kw = b.sum("k");
//   b.input({out[0], cin, b.unfold(out[2], kh), b.unfold(out[3], kw)});
//   b.weight({out[1], cin, kh, kw});
//   b.expand(out[1]);                                  // C_out comes from the weight only
//   Operator conv = b.build();
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/Operator.h"
#include "sizes/Parse.h"

namespace syno {

class OperatorBuilder {
public:
    explicit OperatorBuilder(VariableTable vars);
    // Builds into an existing store, so several operators can share its nodes.
    explicit OperatorBuilder(std::shared_ptr<DimStore> store);

    const VariableTable& vars() const { return store_->vars(); }
    Size size(const std::string& text) const { return parseSize(text, vars()); }

    std::vector<Dim> output(const std::string& shape);
    std::vector<Dim> output(const std::vector<Size>& shape);
    Dim sum(const std::string& size) { return reduce(this->size(size), ReduceKind::Sum); }
    Dim mean(const std::string& size) { return reduce(this->size(size), ReduceKind::Mean); }
    Dim reduce(const Size& size, ReduceKind kind);

    Dim split(Dim major, Dim minor);
    std::pair<Dim, Dim> merge(Dim below, const Size& block);  // {outer |below|/block, inner block}
    std::pair<Dim, Dim> merge(Dim below, const std::string& block) { return merge(below, size(block)); }
    Dim shift(Dim below, int amount = 1);
    Dim stride(Dim below, const Size& stride);
    Dim stride(Dim below, const std::string& s) { return stride(below, size(s)); }
    Dim unfold(Dim main, Dim window);

    void input(std::vector<Dim> dims);
    void weight(std::vector<Dim> dims);
    void expand(Dim d);

    Operator build() const;

private:
    void checkDimSize(const Size& s, const char* what) const;

    std::shared_ptr<DimStore> store_;
    OperatorParts parts_;
    bool outputSet_ = false;
    bool inputSet_ = false;
};

}  // namespace syno
