#include "report/Graphviz.h"

#include <graphviz/gvc.h>

#include <memory>
#include <mutex>

#include "base/Error.h"

namespace syno::report {

namespace {

// libgvc keeps global state (its error buffer, the plugin list): one layout at a time per process.
std::mutex& gvMutex() {
    static std::mutex m;
    return m;
}

}  // namespace

std::string renderSvg(const std::string& dot) {
    std::lock_guard lock(gvMutex());
    std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
    if (!gvc) throw Error("graphviz: cannot create a context");
    std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
    if (!graph) throw Error("graphviz: the operator's DOT text does not parse");
    if (gvLayout(gvc.get(), graph.get(), "dot") != 0) throw Error("graphviz: the dot layout failed");
    char* data = nullptr;
    unsigned int length = 0;
    const int rendered = gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
    std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc.get(), graph.get());
    if (svg.empty()) throw Error("graphviz: no SVG renderer (is Debian's graphviz installed?)");
    const size_t start = svg.find("<svg");
    return start == std::string::npos ? svg : svg.substr(start);
}

}  // namespace syno::report
