#pragma once
// Known layers written from primitives with the builder: the operators a search starts from, the
// reference points of tests, and the demo. Each expects the conventional variable names (N, C_in,
// C_out, H, W as primaries; the coefficient names given) to be declared in `vars`.
#include <string>

#include "ir/Operator.h"

namespace syno::library {

// [N, C_in, H, W] -> [N, C_out, H, W], weight [C_out, C_in, k, k], same padding.
Operator conv2d(const VariableTable& vars, const std::string& k = "k");
// weight [C_out, C_in]
Operator conv1x1(const VariableTable& vars);
// weight [C_in, C_out/g, k, k]: channels in g groups (torch's [C_out, C_in/g, k, k] transposed per group).
Operator groupedConv2d(const VariableTable& vars, const std::string& k = "k", const std::string& g = "g");
// [N, C_in, H, W] -> [N, C_in, H, W], weight [C_in, k, k]: one filter per channel.
Operator depthwiseConv2d(const VariableTable& vars, const std::string& k = "k");
// weight [C_out, C_in, k, k] with taps s apart: a strided window (padding (k-1)*s/2).
Operator dilatedConv2d(const VariableTable& vars, const std::string& k = "k", const std::string& s = "s");
// [N, C_in, H, W] -> [N, C_in, H/s, W/s], mean over s x s blocks.
Operator avgPool2d(const VariableTable& vars, const std::string& s = "s");
// [N, C_in] -> [N, C_out], weight [C_out, C_in].
Operator linear(const VariableTable& vars);
// Roll along H (index h reads h+amount, i.e. torch.roll by -amount) followed by a 1x1 conv.
Operator shiftConv1x1(const VariableTable& vars, int amount = 1);

// The paper's Operator 1: a grouped 1-D conv along W that keeps its tap and squeezes each group to
// m = C_out/(g*s) channels (weight [C_in, k, m]), then a window along H mixing groups, both taps and
// the m channels into C_out (weight [g, k, k, C_out, m]). m is a sum tying the two weights.
Operator operator1(const VariableTable& vars, const std::string& k = "k", const std::string& g = "g",
                   const std::string& s = "s");
// The paper's Operator 2: a grouped 1x3 conv (weight [C_in, k, m]), a roll by one along H, then a 3x1
// conv mixing the groups (weight [C_out, g, k, m]), m = C_out/(g*s).
Operator operator2(const VariableTable& vars, const std::string& k = "k", const std::string& g = "g",
                   const std::string& s = "s");

// Two stages without a tying sum: a grouped 1xk conv along W to g channels (weight [g, C_in/g, k]), a
// roll by one along H, then a kx1 conv along H mixing the groups into C_out (weight [C_out, g, k]).
Operator twoStageShiftConv(const VariableTable& vars, const std::string& k = "k", const std::string& g = "g");

// The layers above by name (conv2d, conv1x1, grouped, depthwise, dilated, avgpool, linear, shiftconv,
// operator1, operator2); throws syno::Error naming the known ones otherwise.
Operator byName(const std::string& name, const VariableTable& vars);
const char* names();  // "conv2d, conv1x1, ..." for help texts
bool isKnown(const std::string& name);  // one of names()

}  // namespace syno::library
