#include "report/Report.h"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "report/HtmlPage.h"
#include "report/MeasurementsHtml.h"
#include "report/ReportData.h"

namespace syno::report {

namespace {

std::string percent(double v) { return std::isfinite(v) ? fmt::format("{:.2f}%", 100 * v) : "-"; }
std::string fold(double v) { return std::isfinite(v) ? fmt::format("{:.3f}x", v) : "-"; }

std::string section(const storage::CandidateRow& r, const OperatorViews& v, bool onFront, bool top) {
    std::string tags = onFront ? "<span class=\"tag front\">Pareto front</span>" : "";
    if (top) tags += "<span class=\"tag top\">top by reward</span>";
    std::string html = fmt::format(
        "<section class=\"op\" id=\"op-{0}\" data-seq=\"{0}\">\n<h3>Candidate #{0} <code>{1}</code> {2}</h3>\n"
        "<p class=\"metrics\">reward {3} &middot; accuracy {4} &middot; speedup {5} &middot; FLOPs ratio {6} "
        "&middot; evaluated in {7}</p>\n",
        r.seq, htmlEscape(r.canonicalId), tags, std::isfinite(r.reward) ? fmt::format("{:.4f}", r.reward) : "-",
        percent(r.metrics.accuracy), fold(std::isfinite(r.metrics.latencyRatio) ? r.metrics.latencyRatio : NAN),
        fold(r.metrics.flopsRatio), std::isfinite(r.evalSeconds) ? fmt::format("{:.1f} s", r.evalSeconds) : "-");
    if (!v.error.empty()) html += fmt::format("<p class=\"error\">{}</p>\n", htmlEscape(v.error));
    html += "<div class=\"op-body\">\n";
    if (!v.svg.empty()) html += "<div class=\"graph\">" + v.svg + "</div>\n";
    html += fmt::format("<div class=\"texts\"><details open><summary>Text form</summary><pre>{}</pre></details>\n",
                        htmlEscape(v.text));
    if (!v.loops.empty())
        html += fmt::format("<details><summary>Loop nest</summary><pre>{}</pre></details>\n", htmlEscape(v.loops));
    if (!v.plan.empty())
        html += fmt::format("<details><summary>Plan (stages and kernels, per binding)</summary><pre>{}</pre></details>\n",
                            htmlEscape(v.plan));
    if (!r.details.empty())
        html += "<details><summary>Evaluator's measurements (latency, epochs)</summary>\n" + measurementsHtml(r.details) +
                "</details>\n";
    return html + "</div></div>\n</section>\n";
}

}  // namespace

std::string ReportBuilder::page(storage::RunDatabase& db) {
    const auto rows = db.candidates("seq");
    if (rows.empty())
        throw Error(fmt::format("{} holds no candidate yet: nothing to report (a search writes them as it proposes)",
                                db.path()));
    const RunData data = runData(db, rows, options_.top);
    std::string bindings;
    if (const auto& o = data.json["run"]["options"]; o.contains("bindings") && o["bindings"].is_string())
        bindings = o["bindings"].get<std::string>();
    std::set<int64_t> topSeqs;
    for (const auto& c : data.json["candidates"])
        if (c["top"].get<bool>()) topSeqs.insert(c["seq"].get<int64_t>());
    std::map<int64_t, const storage::CandidateRow*> bySeq;
    for (const auto& r : rows) bySeq[r.seq] = &r;
    std::string sections;
    for (int64_t seq : data.drawn) {
        const auto& r = *bySeq.at(seq);
        sections += section(r, views_.get(r.canonicalId, r.operatorText, bindings), data.front.count(seq) > 0,
                            topSeqs.count(seq) > 0);
    }
    if (sections.empty()) sections = "<p>No candidate has finished successfully yet.</p>\n";
    return assemblePage(data.json, fmt::format("syno run {}", db.path()), sections);
}

void ReportBuilder::write(storage::RunDatabase& db, const std::string& path) { writeFileAtomically(path, page(db)); }

}  // namespace syno::report
