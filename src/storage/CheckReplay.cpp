#include "storage/CheckReplay.h"

#include "base/Error.h"
#include "storage/RunRecorder.h"

namespace syno::storage {

namespace {

// Never reached: the driver stops before the first batch that would evaluate something.
class NoEvaluations : public search::EvaluationBackend {
public:
    void submit(int64_t, search::Candidate) override { throw Error("internal: the replay check tried to evaluate"); }
    search::EvaluationEvent next() override { throw Error("internal: the replay check tried to evaluate"); }
    int workers() const override { return 1; }
};

// Hands back recorded outcomes (refusing a differing candidate) and records nothing.
class ReadOnlyReplay : public search::SearchObserver {
public:
    explicit ReadOnlyReplay(RunDatabase& db) : recorder_(db) {}
    std::optional<search::Outcome> recorded(const search::Dispatch& d) override { return recorder_.recorded(d); }

private:
    RunRecorder recorder_;
};

}  // namespace

void checkReplay(RunDatabase& db, search::Proposer& freshProposer, const search::RewardOptions& reward,
                 search::DriverOptions options) {
    options.stop = [] { return true; };
    NoEvaluations backend;
    ReadOnlyReplay observer(db);
    search::SearchDriver(freshProposer, backend, reward, options).run(observer);
}

}  // namespace syno::storage
