#pragma once
// An exported operator as a torch::jit::Module in memory, for code that assembles larger TorchScript
// modules (a whole network: evaluation/ScriptNetwork.h). Includes torch: only for torch-facing files.
#include <string>
#include <vector>

#include <torch/script.h>

#include "export/ExportedOperator.h"

namespace syno::exports {

// `e` must hold one binding; `weights` are its parameters w1.. (copied). `typeName` is the module's
// TorchScript type, unique within what it will be saved with. Throws syno::Error when TorchScript refuses
// the code (an internal error).
torch::jit::Module operatorScript(const ExportedOperator& e, const std::vector<torch::Tensor>& weights,
                                  const std::string& typeName);

// Compiles `source` (TorchScript methods) into m, with RuntimeError known to the compiler; throws
// syno::Error with the compiler's report on one line.
void defineMethods(torch::jit::Module& m, const std::string& source);

}  // namespace syno::exports
