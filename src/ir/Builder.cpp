#include "ir/Builder.h"

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

OperatorBuilder::OperatorBuilder(VariableTable vars) : store_(std::make_shared<DimStore>(std::move(vars))) {}

OperatorBuilder::OperatorBuilder(std::shared_ptr<DimStore> store) : store_(std::move(store)) {
    if (!store_) throw Error("builder needs a dimension store");
}

void OperatorBuilder::checkDimSize(const Size& s, const char* what) const {
    if (!s.isValidDimension(vars()))
        throw Error(fmt::format("{} would have size {}, which is not a valid dimension size", what, s.toString(vars())));
}

std::vector<Dim> OperatorBuilder::output(const std::string& shape) {
    return output(shapeSizes(parseShape(shape, vars())));
}

std::vector<Dim> OperatorBuilder::output(const std::vector<Size>& shape) {
    if (outputSet_) throw Error("output shape given twice");
    if (shape.empty()) throw Error("output shape is empty");
    outputSet_ = true;
    for (size_t i = 0; i < shape.size(); ++i) {
        checkDimSize(shape[i], "an output dimension");
        parts_.outputs.push_back(store_->iterator(static_cast<int>(i), shape[i]));
    }
    return parts_.outputs;
}

Dim OperatorBuilder::reduce(const Size& size, ReduceKind kind) {
    checkDimSize(size, "a reduction");
    Dim d = store_->reduce(static_cast<int>(parts_.reductions.size()), size, kind);
    parts_.reductions.push_back(d);
    return d;
}

Dim OperatorBuilder::split(Dim major, Dim minor) {
    if (!major || !minor) throw Error("split of a null dimension");
    if (major == minor) throw Error("split needs two different dimensions");
    return store_->split(major, minor);
}

std::pair<Dim, Dim> OperatorBuilder::merge(Dim below, const Size& block) {
    if (!below) throw Error("merge of a null dimension");
    checkDimSize(block, "a merge block");
    checkDimSize(below->size / block, "the outer part of a merge");
    return {store_->mergeOuter(below, block), store_->mergeInner(below, block)};
}

Dim OperatorBuilder::shift(Dim below, int amount) {
    if (!below) throw Error("shift of a null dimension");
    if (amount == 0) throw Error("a shift by 0 is the identity");
    return store_->shift(below, amount);
}

Dim OperatorBuilder::stride(Dim below, const Size& s) {
    if (!below) throw Error("stride of a null dimension");
    auto t = s.trait(vars());
    if (t != SizeTrait::Coefficient)
        throw Error(fmt::format("stride {} must be a product of coefficients", s.toString(vars())));
    return store_->stride(below, s);
}

Dim OperatorBuilder::unfold(Dim main, Dim window) {
    if (!main || !window) throw Error("unfold of a null dimension");
    if (main == window) throw Error("unfold needs two different dimensions");
    return store_->unfold(main, window);
}

void OperatorBuilder::input(std::vector<Dim> dims) {
    if (inputSet_) throw Error("input given twice");
    inputSet_ = true;
    parts_.input = std::move(dims);
}

void OperatorBuilder::weight(std::vector<Dim> dims) { parts_.weights.push_back(std::move(dims)); }

void OperatorBuilder::expand(Dim d) { parts_.expansions.push_back(d); }

Operator OperatorBuilder::build() const {
    if (!outputSet_) throw Error("operator has no output shape");
    if (!inputSet_) throw Error("operator has no input");
    return Operator::make(store_, parts_);
}

}  // namespace syno
