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

}  // namespace syno::library
