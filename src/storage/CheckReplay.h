#pragma once
// Whether a run database still replays: its recorded candidates are proposed again, in order, by a fresh
// proposer (which the call consumes), up to the first one never evaluated. Nothing is evaluated and
// nothing written, so a resume can refuse a run the synthesis no longer reproduces before it changes a
// byte of the file. Throws syno::Error naming the first candidate that differs.
#include "search/SearchDriver.h"
#include "storage/RunDatabase.h"

namespace syno::storage {

void checkReplay(RunDatabase& db, search::Proposer& freshProposer, const search::RewardOptions& reward,
                 search::DriverOptions options);

}  // namespace syno::storage
