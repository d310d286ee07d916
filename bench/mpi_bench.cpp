// Benchmark (not a test), run under mpirun: how many results per second rank 0 handles when the other ranks
// answer at once. Rank 0 runs the search driver on the MPI backend with a proposer that only lists ready
// candidates (synthesis is measured by synthesis_bench), once recording every event in a run database as
// `syno search` does and once recording nothing; the ratio between them is the database's share.
// Usage: mpirun -np N mpi_bench [--results 20000] [--db path]   (N >= 2)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "distributed/MpiBackend.h"
#include "distributed/MpiWorker.h"
#include "search/SearchDriver.h"
#include "storage/RunDatabase.h"
#include "storage/RunRecorder.h"

using namespace syno;

namespace {

// Distinct candidates, as fast as asked.
class ListProposer : public search::Proposer {
public:
    search::ProposeStatus propose(search::Proposal& out) override {
        out.ticket = static_cast<int>(next_);
        out.candidate = search::Candidate{"syno-operator 1\n# a listed candidate\n", fmt::format("{:016x}", next_),
                                          fmt::format("list:{}", next_), 1e6, 1e3};
        ++next_;
        return search::ProposeStatus::Ready;
    }
    void report(int, std::optional<double>) override {}
    std::string name() const override { return "list"; }

private:
    uint64_t next_ = 1;
};

// Answers at once with a plausible outcome (details included, as a training's are).
class InstantEvaluator : public search::Evaluator {
public:
    search::Outcome evaluate(const search::Candidate&) override {
        search::Metrics m;
        m.accuracy = 0.8125, m.baselineAccuracy = 0.83, m.flops = 1.5e9, m.flopsRatio = 2.4, m.params = 4.2e6;
        m.latencyMs = 3.25, m.latencyRatio = 2.1, m.trainSeconds = 61.5;
        return {true, "", m, R"({"validation_by_epoch": [0.71, 0.8125], "train_loss_by_epoch": [0.9, 0.55]})"};
    }
    std::string fingerprint() const override { return "instant v1"; }
};

double resultsPerSecond(distributed::MpiBackend& backend, int64_t results, search::SearchObserver& observer) {
    ListProposer proposer;
    search::DriverOptions options;
    options.budget = results;
    options.batch = 64 * backend.workers();  // many in flight: rank 0's own work is what is timed
    search::SearchDriver driver(proposer, backend, search::RewardOptions{}, options);
    const auto start = std::chrono::steady_clock::now();
    driver.run(observer);
    return static_cast<double>(results) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    int64_t results = 20000;
    std::string db = (std::filesystem::temp_directory_path() / "syno-mpi-bench.db").string();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--results") results = std::atoll(argv[i + 1]);
        if (std::string(argv[i]) == "--db") db = argv[i + 1];
    }
    distributed::MpiSession mpi;
    if (mpi.rank() > 0) {
        distributed::serveEvaluations(mpi, [](const std::string&) { return std::make_unique<InstantEvaluator>(); });
        return 0;
    }
    if (mpi.size() < 2) {
        std::fprintf(stderr, "mpi_bench: run it under mpirun with at least 2 ranks\n");
        return 1;
    }
    distributed::MpiBackend backend(mpi);
    backend.start("", "instant v1");
    search::SearchObserver nothing;
    const double bare = resultsPerSecond(backend, results, nothing);
    std::filesystem::remove(db);
    auto run = storage::RunDatabase::create(db, storage::RunInfo{"{}", "0", 1, "list", "instant v1", "now", "bench"});
    storage::RunRecorder recorder(run);
    const double recorded = resultsPerSecond(backend, results, recorder);
    fmt::print("rank 0 with {} evaluating rank(s) answering at once, {} results each way:\n", backend.workers(), results);
    fmt::print("  results per second, recording nothing:         {:10.0f}\n", bare);
    fmt::print("  results per second, recorded in the database:  {:10.0f}  ({:.2f}x the time of recording nothing)\n",
               recorded, bare / recorded);
    return 0;
}
