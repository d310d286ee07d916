#pragma once
// What to synthesise: an operator from `input` to `output` over the variables and bindings of `ctx`,
// within `options`. Dims fixed in place (the batch) pass from output to input untouched and are left
// out of the search.
#include <memory>
#include <vector>

#include "ir/DimStore.h"
#include "ir/Operator.h"
#include "sizes/Bindings.h"
#include "sizes/Parse.h"
#include "synthesis/Options.h"

namespace syno {

struct FixedDim {
    int outputPos;
    int inputPos;
};

struct Problem {
    SizeContext ctx;
    Shape input;
    Shape output;
    std::vector<FixedDim> fixed;
    SynthesisOptions options;
    std::vector<Size> candidates;  // sizes synthesis may introduce (reductions, merge blocks): see SizeCandidates.h

    // Parses and checks (shapes over declared variables, sizes integral in every binding, fixed dims of
    // equal size). By default the variable named `fixedName` is fixed when it is a whole dim of both shapes.
    static Problem make(SizeContext ctx, const std::string& input, const std::string& output,
                        SynthesisOptions options, const std::string& fixedName = "N");
    std::vector<Size> freeInputSizes() const;  // input sizes without the fixed dims
    bool isFixedOutput(int pos) const;
};

// FLOPs of a dense k x k...-kernel convolution from the input to the output shape (channels at position 1,
// spatial dims after), summed over bindings: 2 |output| C_in k^spatial. What `syno sample`'s FLOPs window
// ratios are relative to. 0 when the shapes have no spatial dims.
double denseConvFlops(const Problem& problem, int kernel = 3);

// The options with their FLOPs window narrowed to [minRatio, maxRatio] times `reference` (a ratio of 0
// leaves that end as it is).
SynthesisOptions withFlopsWindow(SynthesisOptions options, double reference, double minRatio, double maxRatio);

// The FLOPs synthesis windows and reports: staged per binding or jointly as options.stageEachBinding says.
// `padded` makes every size integral (paddedContext).
double operatorFlops(const Operator& op, const SizeContext& padded, const SynthesisOptions& options);

// A space given as text: variable specs and the two shapes.
struct SpaceText {
    const char* primaries;
    const char* coefficients;
    const char* input;
    const char* output;
};

// 3x3 conv replacements at small sizes: `syno sample`'s and the synthetic search's defaults, small enough
// that a search of a few dozen candidates takes well under a second.
inline constexpr SpaceText kSmallConvSpace{"N=1: 0, C_in=32: 2, C_out=32: 4, H=16: 0, W=16: 0", "k=3: 2, s=2: 2, g=4: 3",
                                           "[N, C_in, H, W]", "[N, C_out, H, W]"};

// kSmallConvSpace as a problem (no bindings beyond the specs' values), default options at this depth.
Problem smallConvProblem(int depth = 8);

}  // namespace syno
