#pragma once
// The conv space of `syno sample` (defaults), small enough that a search of a few dozen candidates takes
// well under a second, and a helper that runs a whole search and returns its candidates in order.
#include <map>
#include <string>
#include <vector>

#include "search/SearchDriver.h"
#include "search/SyntheticEvaluator.h"
#include "sizes/Parse.h"
#include "synthesis/Problem.h"

namespace syno::test {

inline Problem convProblem(int depth = 8) { return smallConvProblem(depth); }

// Records the candidates by sequence number (finish order varies with workers; the sequence must not),
// and may replay outcomes for a prefix of the sequence, as a run database does on resume.
struct SequenceObserver : search::SearchObserver {
    std::map<int64_t, std::pair<std::string, search::Outcome>> bySeq;
    std::vector<std::pair<std::string, search::Outcome>> replay;  // by seq - 1
    int evaluated = 0;
    std::optional<search::Outcome> recorded(const search::Dispatch& d) override {
        if (d.seq <= static_cast<int64_t>(replay.size())) {
            EXPECT_EQ(replay[static_cast<size_t>(d.seq - 1)].first, d.candidate.canonicalId);
            return replay[static_cast<size_t>(d.seq - 1)].second;
        }
        return std::nullopt;
    }
    void finished(const search::Dispatch& d, const search::Outcome& o, std::optional<double>, double, bool replayed) override {
        EXPECT_TRUE(bySeq.emplace(d.seq, std::make_pair(d.candidate.canonicalId, o)).second) << "seq " << d.seq << " twice";
        if (!replayed) ++evaluated;
    }
    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        for (const auto& [seq, v] : bySeq) {
            EXPECT_EQ(seq, static_cast<int64_t>(out.size()) + 1);
            out.push_back(v.first);
        }
        return out;
    }
};

}  // namespace syno::test
