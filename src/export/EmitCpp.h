#pragma once
// An exported operator as libtorch C++ source: a header and a source file defining a torch::nn::Module
// (<Class>Impl, with TORCH_MODULE(<Class>)) that runs the same programs as the Python export, with the same
// weights for the same seed. It needs libtorch only. Torch-free itself.
#include <string>

#include "export/ExportedOperator.h"

namespace syno::exports {

struct CppSource {
    std::string header, source;
};

// `headerName` is how the source includes the header ("op2.h").
CppSource emitCppModule(const ExportedOperator& e, const std::string& synoVersion, const std::string& headerName);

}  // namespace syno::exports
