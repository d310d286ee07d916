#include "distributed/Messages.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"

namespace syno::distributed {

namespace {

using nlohmann::json;

json number(double v) { return std::isnan(v) ? json() : json(v); }
double number(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }

json metricsJson(const search::Metrics& m) {
    return json::array({number(m.accuracy), number(m.testAccuracy), number(m.baselineAccuracy), number(m.flops),
                        number(m.flopsRatio), number(m.params), number(m.latencyMs), number(m.latencyRatio),
                        number(m.trainSeconds)});
}

search::Metrics metricsFrom(const json& j) {
    if (!j.is_array() || j.size() != 9) throw Error("metrics are not 9 numbers");
    return search::Metrics{number(j[0]), number(j[1]), number(j[2]), number(j[3]), number(j[4]),
                           number(j[5]), number(j[6]), number(j[7]), number(j[8])};
}

json parse(const std::string& text, const char* what) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(fmt::format("a {} message that is not a JSON object", what));
    return j;
}

}  // namespace

std::string encode(const JobMessage& m) {
    const auto& c = m.candidate;
    return json{{"job", m.job},
                {"text", c.operatorText},
                {"id", c.canonicalId},
                {"path", c.path},
                {"flops", number(c.operatorFlops)},
                {"params", number(c.operatorParams)}}
        .dump();
}

std::string encode(const ResultMessage& m) {
    const auto& o = m.outcome;
    return json{{"job", m.job},
                {"ok", o.ok},
                {"failure", o.failure},
                {"metrics", metricsJson(o.metrics)},
                {"details", o.details},
                {"seconds", m.seconds}}
        .dump();
}

JobMessage decodeJob(const std::string& text) {
    const json j = parse(text, "job");
    try {
        return JobMessage{j.at("job").get<int64_t>(),
                          search::Candidate{j.at("text").get<std::string>(), j.at("id").get<std::string>(),
                                            j.at("path").get<std::string>(), number(j.at("flops")),
                                            number(j.at("params"))}};
    } catch (const json::exception& e) {
        throw Error(fmt::format("a malformed job message: {}", e.what()));
    }
}

ResultMessage decodeResult(const std::string& text) {
    const json j = parse(text, "result");
    try {
        return ResultMessage{j.at("job").get<int64_t>(),
                             search::Outcome{j.at("ok").get<bool>(), j.at("failure").get<std::string>(),
                                             metricsFrom(j.at("metrics")), j.at("details").get<std::string>()},
                             j.at("seconds").get<double>()};
    } catch (const json::exception& e) {
        throw Error(fmt::format("a malformed result message: {}", e.what()));
    }
}

}  // namespace syno::distributed
