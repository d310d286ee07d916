#pragma once
// An exported operator as a TorchScript archive, built from C++ (no Python): a torch::jit::Module with the
// weights as parameters and the methods of emitScriptMethods, loadable with torch.jit.load and
// torch::jit::load, trainable (autograd runs through it).
#include <cstdint>
#include <string>

#include "export/ExportedOperator.h"

namespace syno::exports {

// `e` must hold exactly one binding: `binding` of ctx. The weights are PlanModule's for `seed`; the
// archive carries `metadataJson` as the extra file "syno.json". Written atomically; throws syno::Error.
void writeTorchScript(const ExportedOperator& e, const Operator& op, const SizeContext& ctx, int binding, uint64_t seed,
                      const std::string& metadataJson, const std::string& path);

}  // namespace syno::exports
