// An evaluator's measurements become tables: one row per latency point and per epoch, the original
// network's figures beside the operator's, a busy machine flagged; unknown keys kept, everything escaped.
#include <gtest/gtest.h>

#include <string>

#include "report/MeasurementsHtml.h"

namespace syno::report {
namespace {

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(MeasurementsHtml, LatencyPointsAndEpochsAreTables) {
    const std::string html = measurementsHtml(R"({
        "latency": [{"batch": 1, "threads": 2, "ms": 9.5106, "baseline_ms": 20.852, "ratio": 2.1925, "spread": 0.095,
                     "noisy": false},
                    {"batch": 16, "threads": 1, "ms": 80.0, "baseline_ms": 240.0, "ratio": 3.0, "spread": 0.31,
                     "noisy": true}],
        "validation_by_epoch": [0.6045, 0.803], "baseline_validation_by_epoch": [0.727, 0.8055],
        "train_loss_by_epoch": [1.5041, 0.6456], "note": "<b>kept</b>"})");
    EXPECT_EQ(count(html, "<table"), 2u) << html;
    EXPECT_EQ(count(html, "<tr>"), 2u + 1u + 2u + 1u) << html;  // two points, two epochs, two header rows
    for (const char* s : {"9.511 ms", "20.852 ms", "2.19x", "9.5%", "quiet", "busy: noisy", "3.00x", "60.45%",
                          "80.55%", "0.6456"})
        EXPECT_NE(html.find(s), std::string::npos) << s << " missing from:\n" << html;
    EXPECT_NE(html.find("&lt;b&gt;kept&lt;/b&gt;"), std::string::npos) << html;  // unknown keys, escaped
    EXPECT_EQ(html.find("<b>kept"), std::string::npos);
}

TEST(MeasurementsHtml, EachPlaceholderIsARow) {
    const std::string html = measurementsHtml(R"({"placeholder_latency": [
        {"layer": "64->64 @56", "binding": 0, "slots": 4, "ms": 0.612, "baseline_ms": 1.629, "ratio": 2.6618, "spread": 0.188},
        {"layer": "64->128 @28 s2", "binding": 1, "slots": 1, "ms": 1.286, "baseline_ms": 0.995, "ratio": 0.7737, "spread": 0.145}]})");
    EXPECT_EQ(count(html, "<table"), 1u) << html;
    EXPECT_EQ(count(html, "<tr>"), 3u) << html;
    for (const char* s : {"64-&gt;64 @56", "64-&gt;128 @28 s2", "0.612 ms", "1.629 ms", "2.66x", "0.77x", "18.8%"})
        EXPECT_NE(html.find(s), std::string::npos) << s << " missing from:\n" << html;
}

TEST(MeasurementsHtml, TextThatIsNotAnObjectIsShownEscaped) {
    EXPECT_EQ(measurementsHtml("<script>x</script>"), "<pre>&lt;script&gt;x&lt;/script&gt;</pre>\n");
    const std::string partial = measurementsHtml(R"({"validation_by_epoch": [0.5, "x"], "latency": []})");
    EXPECT_NE(partial.find("50.00%"), std::string::npos) << partial;
    EXPECT_NE(partial.find("<td>-</td>"), std::string::npos) << partial;  // a missing or odd value is "-"
}

}  // namespace
}  // namespace syno::report
