#pragma once
// An exported operator as Python source: every plan op written as the torch call Execute.cpp makes, in
// static single assignment, with the ops on the weights alone split off for inference (they run once and
// are kept until the weights change, as PlanModule does). Torch-free.
#include <string>

#include "export/ExportedOperator.h"

namespace syno::exports {

// One self-contained .py file: an nn.Module class named e.className whose constructor takes the layer's
// sizes (one class for every exported binding) and a seed; no syno import. It scripts with torch.jit.script.
std::string emitPythonModule(const ExportedOperator& e, const std::string& synoVersion);

// The methods of a TorchScript module built in C++ (torch::jit::Module::define) for e's bindings: the same
// code in the TorchScript dialect that define() compiles (no torch.jit.is_scripting, memory formats as
// integers). The module must hold parameters w1.., and the attributes `training` (bool), `binding` (int),
// `_cache` (Optional[List[Tensor]]) and `_cache_variant` (int).
std::string emitScriptMethods(const ExportedOperator& e);

}  // namespace syno::exports
