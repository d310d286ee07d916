#pragma once
// DOT text laid out by Graphviz's dot engine (libgvc, in process) and rendered as SVG.
#include <string>

namespace syno::report {

// The SVG document (without the XML prolog and DOCTYPE, so it can be inlined in HTML too). Throws
// syno::Error when Graphviz refuses the text or has no SVG renderer.
std::string renderSvg(const std::string& dot);

}  // namespace syno::report
