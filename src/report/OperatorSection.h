#pragma once
// What the report shows of one operator beyond its metrics: its dimension graph drawn by Graphviz, its
// text form, its loop nest and its execution plan for each binding of the run. Computing them takes
// milliseconds per operator (the layout and the plan compiler), so a report rewritten after every
// evaluation keeps them per canonical id.
#include <map>
#include <mutex>
#include <string>

namespace syno::report {

struct OperatorViews {
    std::string svg;    // the dimension graph, or empty when it could not be drawn
    std::string text;   // the text form as recorded
    std::string loops;  // forward loop nest
    std::string plan;   // the plan's stages per binding (or why there is none)
    std::string error;  // why the operator could not be read, if it could not
};

// `bindings` are the run's (its --bindings option; empty: the operator's declared defaults).
OperatorViews operatorViews(const std::string& operatorText, const std::string& bindings);

class OperatorViewCache {
public:
    const OperatorViews& get(const std::string& canonicalId, const std::string& operatorText,
                             const std::string& bindings);

private:
    std::mutex mutex_;
    std::map<std::string, OperatorViews> views_;
};

}  // namespace syno::report
