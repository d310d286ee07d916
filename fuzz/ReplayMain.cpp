// A fuzz target without libFuzzer (g++ builds, the test suite): runs it on every file of the corpus
// folders given, then on `--mutations N` inputs derived from them by a fixed-seed mutator (bit flips,
// inserted and deleted bytes, repeated runs, splices of two inputs, boundary numbers). A short and
// deterministic stand-in for a fuzzing run; scripts/fuzz.sh runs libFuzzer itself for long ones.
// Usage: <target> [--mutations N] [--seed S] corpus-dir...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int run(const std::string& s) { return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

std::string mutate(std::string s, const std::vector<std::string>& corpus, std::mt19937_64& rng) {
    auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
    static const char* tokens[] = {"0", "-1", "9223372036854775807", "18446744073709551616", "1e308", "nan", "[", "]",
                                   "{", "}", "\"", ",", ";", ":", "=", "^", "/", "*", "\n", "sum(", "merge(",
                                   "split(", "unfold(", "shift(", "weight [", "input [", "output [", "\\u0000"};
    const int steps = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < steps; ++k) {
        switch (rng() % 6) {
            case 0:
                if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
                break;
            case 1:
                s.insert(pick(s.size() + 1), 1, static_cast<char>(rng() % 256));
                break;
            case 2:
                if (!s.empty()) {
                    const size_t at = pick(s.size());
                    s.erase(at, 1 + pick(std::min<size_t>(16, s.size() - at)));
                }
                break;
            case 3: {
                if (s.empty()) break;
                const size_t at = pick(s.size()), len = 1 + pick(std::min<size_t>(8, s.size() - at));
                s.insert(at, s.substr(at, len));
                break;
            }
            case 4: {
                const std::string& other = corpus[pick(corpus.size())];
                const size_t cut = pick(s.size() + 1), from = pick(other.size() + 1);
                s = s.substr(0, cut) + other.substr(from);
                break;
            }
            default:
                s.insert(pick(s.size() + 1), tokens[pick(std::size(tokens))]);
        }
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    long mutations = 2000;
    uint64_t seed = 1;
    std::vector<std::string> corpus;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc) {
            mutations = std::atol(argv[++i]);
        } else if (arg == "--seed" && i + 1 < argc) {
            seed = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::error_code ec;
            for (const auto& e : std::filesystem::directory_iterator(arg, ec)) {
                std::ifstream in(e.path(), std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                corpus.push_back(ss.str());
            }
            if (ec) {
                std::fprintf(stderr, "cannot read corpus folder %s\n", arg.c_str());
                return 2;
            }
        }
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "no corpus inputs\n");
        return 2;
    }
    for (const auto& s : corpus) run(s);
    std::mt19937_64 rng(seed);
    for (long i = 0; i < mutations; ++i) run(mutate(corpus[static_cast<size_t>(rng() % corpus.size())], corpus, rng));
    std::printf("%zu corpus inputs and %ld mutations: no finding\n", corpus.size(), mutations);
    return 0;
}
