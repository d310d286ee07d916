#include "storage/RunRecorder.h"

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::storage {

std::optional<search::Outcome> RunRecorder::recorded(const search::Dispatch& d) {
    auto row = db_.candidate(d.seq);
    if (!row) return std::nullopt;
    if (row->canonicalId != d.candidate.canonicalId)
        throw Error(fmt::format("{}: cannot resume: candidate {} was {} but the search now proposes {} (the synthesis "
                                "code changed since the run started)",
                                db_.path(), d.seq, row->canonicalId, d.candidate.canonicalId));
    // The same operator in another family means the fingerprint changed: the run's dedup would then differ.
    if (!row->family.empty() && !d.candidate.family.empty() && row->family != d.candidate.family)
        throw Error(fmt::format("{}: cannot resume: candidate {} was recorded in family {} but is now in family {} (the "
                                "functional fingerprint changed since the run started)",
                                db_.path(), d.seq, row->family, d.candidate.family));
    if (row->status == "done" || row->status == "failed") return row->outcome();
    return std::nullopt;  // queued or running when the earlier session stopped: evaluate again
}

}  // namespace syno::storage
