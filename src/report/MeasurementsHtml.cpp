#include "report/MeasurementsHtml.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/HtmlPage.h"

namespace syno::report {

namespace {

using nlohmann::json;

// A number as the table shows it, or "-" when it is missing or not a number (percentages come as fractions).
enum class As { Count, Ms, Speedup, Percent1, Percent2, Loss };
std::string cell(const json& v, As as) {
    if (!v.is_number()) return "-";
    const double x = v.get<double>();
    switch (as) {
    case As::Count: return fmt::format("{:.0f}", x);
    case As::Ms: return fmt::format("{:.3f} ms", x);
    case As::Speedup: return fmt::format("{:.2f}x", x);
    case As::Percent1: return fmt::format("{:.1f}%", 100 * x);
    case As::Percent2: return fmt::format("{:.2f}%", 100 * x);
    case As::Loss: return fmt::format("{:.4f}", x);
    }
    return "-";
}

std::string latencyTable(const json& points) {
    std::string html = "<table class=\"measurements\"><tr><th>batch</th><th>threads</th><th>operator</th>"
                       "<th>original</th><th>speedup</th><th>spread</th><th>machine</th></tr>\n";
    for (const auto& p : points) {
        if (!p.is_object()) continue;
        const bool noisy = p.value("noisy", false);
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                            cell(p.value("batch", json()), As::Count), cell(p.value("threads", json()), As::Count),
                            cell(p.value("ms", json()), As::Ms), cell(p.value("baseline_ms", json()), As::Ms),
                            cell(p.value("ratio", json()), As::Speedup), cell(p.value("spread", json()), As::Percent1),
                            noisy ? "<span class=\"error\">busy: noisy</span>" : "quiet");
    }
    return html + "</table>\n";
}

std::string placeholderTable(const json& layers) {
    std::string html = "<table class=\"measurements\"><tr><th>layer</th><th>slots</th><th>operator</th>"
                       "<th>original</th><th>speedup</th><th>spread</th></tr>\n";
    for (const auto& p : layers) {
        if (!p.is_object()) continue;
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                            htmlEscape(p.value("layer", std::string("?"))), cell(p.value("slots", json()), As::Count),
                            cell(p.value("ms", json()), As::Ms), cell(p.value("baseline_ms", json()), As::Ms),
                            cell(p.value("ratio", json()), As::Speedup), cell(p.value("spread", json()), As::Percent1));
    }
    return html + "</table>\n";
}

std::string epochTable(const json& d) {
    const json none = json::array();
    const json& validation = d.contains("validation_by_epoch") ? d["validation_by_epoch"] : none;
    const json& baseline = d.contains("baseline_validation_by_epoch") ? d["baseline_validation_by_epoch"] : none;
    const json& loss = d.contains("train_loss_by_epoch") ? d["train_loss_by_epoch"] : none;
    const size_t epochs = std::max({validation.size(), baseline.size(), loss.size()});
    std::string html = "<table class=\"measurements\"><tr><th>epoch</th><th>validation</th>"
                       "<th>original's validation</th><th>training loss</th></tr>\n";
    auto at = [](const json& a, size_t i) { return a.is_array() && i < a.size() ? a[i] : json(); };
    for (size_t i = 0; i < epochs; ++i)
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", i + 1,
                            cell(at(validation, i), As::Percent2), cell(at(baseline, i), As::Percent2),
                            cell(at(loss, i), As::Loss));
    return html + "</table>\n";
}

}  // namespace

std::string measurementsHtml(const std::string& details) {
    json d = json::parse(details, nullptr, false);
    if (d.is_discarded() || !d.is_object()) return "<pre>" + htmlEscape(details) + "</pre>\n";
    std::string html;
    if (d.contains("latency") && d["latency"].is_array() && !d["latency"].empty()) {
        html += "<h4>Whole-network latency at deployment size</h4>\n" + latencyTable(d["latency"]);
        d.erase("latency");
    }
    if (d.contains("placeholder_latency") && d["placeholder_latency"].is_array() && !d["placeholder_latency"].empty()) {
        html += "<h4>Each placeholder alone (batch 1)</h4>\n" + placeholderTable(d["placeholder_latency"]);
        d.erase("placeholder_latency");
    }
    if (d.contains("validation_by_epoch") || d.contains("train_loss_by_epoch")) {
        html += "<h4>Training, epoch by epoch</h4>\n" + epochTable(d);
        for (const char* key : {"validation_by_epoch", "baseline_validation_by_epoch", "train_loss_by_epoch"}) d.erase(key);
    }
    if (!d.empty()) html += "<pre>" + htmlEscape(d.dump(2)) + "</pre>\n";
    return html;
}

}  // namespace syno::report
