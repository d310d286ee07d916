// Exported operators against syno's own plans, at inference on ResNet-18's deployment layer sizes: each
// operator is exported as a TorchScript archive (syno export's code path), loaded with torch::jit::load,
// and timed interleaved with syno's PlanModule (prepared weights) in the same process: per cell, the ratio
// of the medians (archive time / syno time; 1.0 = as fast). The archives stay in --dir for
// export_bench.py, which times the PyTorch exports against them.
//
//   build/bench/export_bench [--dir DIR] [--rounds 30] [--threads 2] [--json FILE]
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "export/ExportedOperator.h"
#include "export/ScriptModule.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "plans/PlanModule.h"
#include "sizes/Parse.h"

using namespace syno;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Layer {
    int64_t c, h;
};

}  // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/syno-export-bench", json;
    int rounds = 30, threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--dir") dir = argv[i + 1];
        else if (a == "--rounds") rounds = std::stoi(argv[i + 1]);
        else if (a == "--threads") threads = std::stoi(argv[i + 1]);
        else if (a == "--json") json = argv[i + 1];
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 1;
        }
    }
    std::filesystem::create_directories(dir);
    torch::set_num_threads(threads);
    const VariableTable vars({{"N", VarKind::Primary, 3, 1},
                              {"C_in", VarKind::Primary, 2, 64},
                              {"C_out", VarKind::Primary, 4, 64},
                              {"H", VarKind::Primary, 3, 56},
                              {"W", VarKind::Primary, 3, 56},
                              {"k", VarKind::Coefficient, 2, 3},
                              {"s", VarKind::Coefficient, 2, 2},
                              {"g", VarKind::Coefficient, 3, 32}});
    std::vector<std::pair<std::string, Operator>> ops;
    for (const char* name : {"operator1", "operator2"}) ops.emplace_back(name, library::byName(name, vars));
    // The ResNet-18 campaign's finalists, when run from the repository.
    for (const char* id : {"5c882b8135d8bb04", "ad9b0b784caff61b"}) {
        const std::string path = fmt::format("campaigns/resnet18/operators/{}.op", id);
        if (std::filesystem::exists(path)) ops.emplace_back(std::string(id).substr(0, 4), loadOperatorFile(path, &vars));
    }
    const std::vector<Layer> layers = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
    std::string out = "[";
    fmt::print("# exported TorchScript archive / syno's plan at inference, median of {} interleaved rounds, {} thread(s)\n",
               rounds, threads);
    fmt::print("{:<10} {:>8} {:>6} {:>10} {:>10} {:>8}\n", "operator", "layer", "batch", "syno ms", "archive ms", "ratio");
    std::vector<double> ratios;
    for (const auto& [name, op] : ops)
        for (const Layer& l : layers) {
            const SizeContext ctx(op.vars(), parseBindings(fmt::format("C_in={0}, C_out={0}, H={1}, W={1}", l.c, l.h)));
            exports::ExportOptions options;
            options.bindings = {0};
            const exports::ExportedOperator e = exports::prepareExport(op, ctx, options);
            const std::string archive = fmt::format("{}/{}_{}_{}.pt", dir, name, l.c, l.h);
            exports::writeTorchScript(e, op, ctx, 0, 1, "{}", archive);
            plans::PlanModule syno(op, ctx, 0);
            syno->eval();  // deployed: weight-only stages are kept only in evaluation mode
            torch::jit::Module loaded = torch::jit::load(archive);
            loaded.eval();
            for (int64_t batch : {1, 16}) {
                torch::NoGradGuard noGrad;
                const torch::Tensor x = torch::randn({batch, l.c, l.h, l.h});
                for (int w = 0; w < 3; ++w) {  // warm-up: plans, prepared weights, oneDNN primitives
                    syno->forward(x);
                    loaded.forward({x});
                }
                std::vector<double> a, b, r;
                for (int k = 0; k < rounds; ++k) {
                    // Each module is called twice in a row and the second call is timed: a call right after
                    // the other module's pays for switching between them (tens of ms at 64@56 batch 16, found
                    // by this bench), which no deployment that runs one model sees.
                    auto time = [&](auto&& f) {
                        f();
                        const auto t0 = std::chrono::steady_clock::now();
                        f();
                        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                    };
                    double ta, tb;
                    if (k % 2 == 0) {
                        ta = time([&] { syno->forward(x); });
                        tb = time([&] { loaded.forward({x}); });
                    } else {
                        tb = time([&] { loaded.forward({x}); });
                        ta = time([&] { syno->forward(x); });
                    }
                    a.push_back(ta);
                    b.push_back(tb);
                    r.push_back(tb / ta);
                }
                const double ratio = median(r);
                ratios.push_back(ratio);
                fmt::print("{:<10} {:>5}@{:<2} {:>6} {:>10.3f} {:>10.3f} {:>7.2f}x\n", name, l.c, l.h, batch, median(a),
                           median(b), ratio);
                out += fmt::format("{}{{\"operator\": \"{}\", \"c\": {}, \"h\": {}, \"batch\": {}, \"syno_ms\": {:.4f}, "
                                   "\"archive_ms\": {:.4f}, \"ratio\": {:.4f}, \"archive\": \"{}\"}}",
                                   out.size() > 1 ? ", " : "", name, l.c, l.h, batch, median(a), median(b), ratio, archive);
            }
        }
    std::sort(ratios.begin(), ratios.end());
    fmt::print("# archive / syno over {} cells: median {:.2f}x, worst {:.2f}x, best {:.2f}x\n", ratios.size(),
               ratios[ratios.size() / 2], ratios.back(), ratios.front());
    if (!json.empty()) std::ofstream(json) << out << "]\n";
    return 0;
}
