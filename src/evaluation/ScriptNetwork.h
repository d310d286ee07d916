#pragma once
// A network as a TorchScript archive: every module written in TorchScript (the composites by their own
// scriptForward, the leaves here, the operator in each placeholder by the export layer), with the network's
// weights and buffers under syno's names ("net.layer1_0.conv1.op.w1"), and `metadataJson` as the archive's
// extra file "syno.json". It loads with torch.jit.load and torch::jit::load, without syno. Torch-free header.
#include <string>

#include "ir/Operator.h"

namespace syno::evaluation {

class NetImpl;

// op and ctx: the operator in the placeholders and their context (placeholderContext), or nullptr for the
// baseline. `batches` get plans of their own in each operator (any other batch runs the general plan).
// Written atomically; throws syno::Error.
void writeNetworkScript(const NetImpl& net, const Operator* op, const SizeContext* ctx,
                        const std::vector<int64_t>& batches, const std::string& metadataJson, const std::string& path);

}  // namespace syno::evaluation
