#pragma once
// Connects a search driver to a run database: every queued, started and finished evaluation is written
// as it happens, and outcomes finished by an earlier session are handed back so a resumed run replays
// them instead of evaluating again. A recorded candidate that differs from the one proposed at the same
// position means the run cannot be replayed (the synthesis changed since): that is refused.
#include "search/SearchDriver.h"
#include "storage/RunDatabase.h"

namespace syno::storage {

class RunRecorder : public search::SearchObserver {
public:
    explicit RunRecorder(RunDatabase& db) : db_(db) {}
    std::optional<search::Outcome> recorded(const search::Dispatch& d) override;
    void queued(const search::Dispatch& d) override { db_.queued(d.seq, d.batch, d.candidate); }
    void started(const search::Dispatch& d) override { db_.started(d.seq); }
    void finished(const search::Dispatch& d, const search::Outcome& o, std::optional<double> reward, double seconds,
                  bool replayed) override {
        if (!replayed) db_.finished(d.seq, o, reward, seconds);
    }

private:
    RunDatabase& db_;
};

}  // namespace syno::storage
