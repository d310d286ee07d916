#include "search/SearchDriver.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

namespace syno::search {

SearchDriver::SearchDriver(Proposer& proposer, EvaluationBackend& backend, RewardOptions reward, DriverOptions options)
    : proposer_(proposer), backend_(backend), reward_(std::move(reward)), options_(options) {
    checkRewardOptions(reward_);
    options_.batch = std::max(options_.batch, 1);
}

SearchSummary SearchDriver::run(SearchObserver& observer) {
    SearchSummary summary;
    // Keyed by family when known, else by canonical id -> reward (nullopt: failed).
    std::unordered_map<std::string, std::optional<double>> rewardOf;
    std::unordered_map<std::string, std::string> canonicalOfKey;  // the canonical id first seen for a key
    std::unordered_map<std::string, std::string> keyOfCanonical;  // the family is asked once per operator
    auto keyOf = [&](const Candidate& c) {
        if (!options_.family) return c.canonicalId;
        auto [it, fresh] = keyOfCanonical.try_emplace(c.canonicalId);
        if (fresh) {
            const std::string family = options_.family(c);
            it->second = family.empty() ? c.canonicalId : "family:" + family;
        }
        return it->second;
    };
    int64_t seq = 0, batchNo = 0;
    while (summary.evaluated < options_.budget && !summary.exhausted) {
        struct Slot {
            int ticket;
            std::string key;
            Dispatch dispatch;
            std::optional<Outcome> outcome;
            double seconds = 0;
            bool replayed = false;
        };
        std::vector<Slot> batch;
        std::vector<std::pair<int, size_t>> followers;  // ticket, slot: same operator as a batch member
        const int64_t room = std::min<int64_t>(options_.batch, options_.budget - summary.evaluated);
        ++batchNo;
        int64_t repeats = 0;
        while (static_cast<int64_t>(batch.size()) < room) {
            Proposal p;
            ProposeStatus status = proposer_.propose(p);
            if (status == ProposeStatus::Wait) break;
            if (status == ProposeStatus::Exhausted) {
                summary.exhausted = true;
                break;
            }
            Candidate c = std::move(p.candidate);
            std::string key = keyOf(c);
            if (auto known = rewardOf.find(key); known != rewardOf.end()) {
                proposer_.report(p.ticket, known->second);
                ++summary.repeats;
                summary.sameFamily += canonicalOfKey[key] != c.canonicalId;
                if (++repeats >= options_.maxFreeRepeats) {
                    summary.exhausted = true;
                    break;
                }
                continue;
            }
            // Refused: not evaluated, not recorded, not counted; the algorithm learns it as a failure.
            if (options_.refuse && options_.refuse(c)) {
                const std::optional<double> learned = feedback(Outcome{}, reward_);
                proposer_.report(p.ticket, learned);
                rewardOf[key] = learned;
                canonicalOfKey.emplace(key, c.canonicalId);
                ++summary.refused;
                if (++repeats >= options_.maxFreeRepeats) {
                    summary.exhausted = true;
                    break;
                }
                continue;
            }
            auto same = std::find_if(batch.begin(), batch.end(), [&](const Slot& s) { return s.key == key; });
            if (same != batch.end()) {
                followers.emplace_back(p.ticket, static_cast<size_t>(same - batch.begin()));
                ++summary.repeats;
                summary.sameFamily += same->dispatch.candidate.canonicalId != c.canonicalId;
                continue;
            }
            const std::string familyPrefix = "family:";
            if (key.rfind(familyPrefix, 0) == 0) c.family = key.substr(familyPrefix.size());
            batch.push_back({p.ticket, std::move(key), {++seq, batchNo, std::move(c)}, std::nullopt});
        }
        if (batch.empty()) {
            for (auto [ticket, slot] : followers) proposer_.report(ticket, std::nullopt);
            if (!summary.exhausted) summary.exhausted = true;  // a Wait with nothing in flight: nothing left
            break;
        }
        // Dispatch: recorded outcomes are replayed, the rest go to the backend (unless time is up: the
        // batch is then left unevaluated, so a resumed run proposes it again, identically).
        for (Slot& s : batch)
            if (auto r = observer.recorded(s.dispatch)) {
                s.outcome = std::move(r);
                s.replayed = true;
            }
        const bool anyNew = std::any_of(batch.begin(), batch.end(), [](const Slot& s) { return !s.replayed; });
        if (anyNew && options_.stop && options_.stop()) {
            summary.stopped = true;
            break;
        }
        std::map<int64_t, size_t> slotOfSeq;
        size_t pending = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
            Slot& s = batch[i];
            if (s.replayed) continue;
            observer.queued(s.dispatch);

            slotOfSeq[s.dispatch.seq] = i;
            backend_.submit(s.dispatch.seq, s.dispatch.candidate);
            ++pending;
        }
        while (pending > 0) {
            EvaluationEvent e = backend_.next();
            auto it = slotOfSeq.find(e.job);
            if (it == slotOfSeq.end()) continue;
            Slot& s = batch[it->second];
            if (e.kind == EvaluationEvent::Kind::Started) {
                observer.started(s.dispatch);
                continue;
            }
            s.outcome = std::move(e.outcome);
            s.seconds = e.seconds;
            observer.finished(s.dispatch, *s.outcome, reward(*s.outcome, reward_), s.seconds, false);
            --pending;
        }
        // Results reach the algorithm in submission order only: determinism does not depend on timing.
        for (Slot& s : batch) {
            std::optional<double> r = reward(*s.outcome, reward_);
            if (s.replayed) {
                observer.finished(s.dispatch, *s.outcome, r, s.seconds, true);
                ++summary.replayed;
            }
            const std::optional<double> learned = feedback(*s.outcome, reward_);
            proposer_.report(s.ticket, learned);
            rewardOf[s.key] = learned;
            canonicalOfKey.emplace(s.key, s.dispatch.candidate.canonicalId);
            ++summary.evaluated;
            if (!r) ++summary.failed;
        }
        for (auto [ticket, slot] : followers) proposer_.report(ticket, rewardOf[batch[slot].key]);
    }
    return summary;
}

}  // namespace syno::search
