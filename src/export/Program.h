#pragma once
// One variant's plans as straight-line programs in static single assignment: the training program (every
// op), and the inference program split in two: `prepare` (the ops on the weights alone, run once per
// weight version) and `infer` (the rest, reading what prepare kept). Every emitter writes these in its
// own language. Torch-free.
#include <string>
#include <vector>

#include "export/BatchVariants.h"

namespace syno::exports {

// Names: "x" the input, "w1".. the weights, "t<i>" the result of op i.
struct Statement {
    std::string var;
    const SymOp* op = nullptr;
    std::string a, b;  // operand names (b empty for one operand)
};

struct Program {
    std::vector<Statement> train;
    std::string trainResult;
    std::vector<Statement> prepare;
    std::vector<std::string> kept;  // prepare's results, in the order infer reads them
    std::vector<Statement> infer;
    std::string inferResult;
};

bool isWeightName(const std::string& name);  // "w1", "w2", ...

// Source text shared by the emitters: "64", "N", "4 * N"; "a, b, c"; a double that reads back exactly.
std::string intText(const SymInt& s);
std::string joinedText(const std::vector<SymInt>& v);
std::string joinedText(const std::vector<int64_t>& v);
std::string floatText(double x);
// A field the batch never scales in a fitted plan (axes, index lists); throws syno::Error otherwise.
int64_t constant(const SymInt& s, const char* what);
std::vector<int64_t> constants(const std::vector<SymInt>& v, const char* what);

// `train` and `infer` are one variant's training and inference plans; both must outlive the result.
Program variantProgram(const BatchVariant& train, const BatchVariant& infer, int weights);

}  // namespace syno::exports
