#pragma once
// A campaign's result table, computed from the files its steps wrote: final trainings per seed
// (finals/<name>-seed<N>.json), deployment latency (latency/<name>.json) and the search's proxy figures.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/Evaluator.h"

namespace syno::cli {

struct CampaignEntry {
    std::string name;          // "baseline", a library layer, or a search candidate's canonical id
    std::string source;        // where it came from, for the table
    std::string operatorText;  // empty for the baseline and library layers
    search::Metrics proxy;     // the search's figures (NaN outside the search)
};

nlohmann::json entryJson(const CampaignEntry& e);
CampaignEntry entryFromJson(const nlohmann::json& j);  // throws syno::Error on a malformed entry

struct CampaignTable {
    std::string markdown;
    nlohmann::json json;
};

// entries: the baseline first, then the operators. Missing files show as "-" (a campaign still running).
CampaignTable collectResults(const std::string& dir, const std::string& model, const std::vector<CampaignEntry>& entries);

}  // namespace syno::cli
