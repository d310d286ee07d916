#pragma once
// An evaluator's own measurements of a candidate (Outcome::details, a JSON object) as HTML tables: the
// latency points (batch, threads, the operator's and the original network's times, speedup, spread, and
// whether the machine was quiet), each placeholder's time alone against the original layer's, and the
// curves per epoch (validation beside the original network's,
// training loss). Keys it does not know are kept as JSON beneath; text that is not a JSON object is shown
// as it is. Every value is escaped.
#include <string>

namespace syno::report {

std::string measurementsHtml(const std::string& details);

}  // namespace syno::report
