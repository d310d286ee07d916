// The report in a real browser: a small run made with the synthetic evaluator (`syno search --report`),
// its page opened from disk by headless Chromium (no network: everything is inlined). The page must load
// with no console error, plot one mark per finished candidate, sort its table on a header click and
// show an operator's graph. A screenshot is kept in the build tree as the test's artifact.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "HeadlessChromium.h"
#include "SynoProcess.h"

namespace syno::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ReportBrowserTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fs::path(makeTempDir("syno_report_browser"));
        // --keep-over-parametrised: the synthetic reward has no use for that rule, whose refusals make random
        // proposals in this space take a minute.
        auto r = runSyno({"search", "--evaluator", "synthetic", "--algorithm", "random", "--keep-over-parametrised",
                          "--budget", "24",
                          "--failure-rate", "0.2", "--db", (*dir_ / "run.db").string(), "--report",
                          (*dir_ / "report.html").string(), "-q", "--top", "0"},
                         *dir_);
        if (r.exitCode != 0) {  // reported by each test: a failure here must not read as a skip
            *setupError_ = "syno search --report failed: " + r.err;
            return;
        }
        auto list = runSyno({"runs", "list", "--db", (*dir_ / "run.db").string(), "--json"}, *dir_);
        if (list.exitCode != 0) *setupError_ = "syno runs list failed: " + list.err;
        else *rows_ = json::parse(list.out);
    }
    static void TearDownTestSuite() {
        fs::remove_all(*dir_);
        delete dir_;
    }

    void SetUp() override {
        ASSERT_TRUE(setupError_->empty()) << *setupError_;
        if (HeadlessChromium::executable().empty())
            GTEST_SKIP() << "no Chromium at /usr/bin/chromium (scripts/install-deps.sh installs Debian's chromium; "
                            "or set SYNO_CHROMIUM)";
        browser_ = std::make_unique<HeadlessChromium>(*dir_ / ("profile-" + std::to_string(++profiles_)));
        browser_->call("Page.navigate", {{"url", "file://" + (*dir_ / "report.html").string()}});
        ASSERT_TRUE(browser_->waitFor("document.body && document.body.dataset.ready", std::chrono::seconds(30)))
            << "the page never finished drawing";
        ASSERT_EQ(browser_->evaluate("document.body.dataset.ready"), "1") << "a plot failed";
    }

    // Clicks the element as a user would: a mouse press and release at its centre.
    void click(const std::string& selector) {
        json box = browser_->evaluate("(() => { const e = document.querySelector('" + selector +
                                      "'); e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                                      "return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        for (const char* type : {"mousePressed", "mouseReleased"})
            browser_->call("Input.dispatchMouseEvent",
                           {{"type", type}, {"x", box["x"]}, {"y", box["y"]}, {"button", "left"}, {"clickCount", 1}});
    }

    std::vector<double> column(const std::string& key) {
        json values = browser_->evaluate("Array.from(document.querySelectorAll('#candidates tbody tr')).map(tr => "
                                         "synoReport.data.candidates.find(c => c.seq == tr.dataset.seq)['" + key + "'])");
        std::vector<double> out;
        for (const auto& v : values) out.push_back(v.is_null() ? NAN : v.get<double>());
        return out;
    }

    void loadsWithNoConsoleErrorAndKeepsAScreenshot();
    void plotsOneMarkPerFinishedCandidate();
    void tableSortsOnAHeaderClick();  // last: it filters the table
    void frontOperatorsAreDrawnAndPointsJumpToThem();

    static fs::path* dir_;
    static json* rows_;
    static int profiles_;
    static std::string* setupError_;
    std::unique_ptr<HeadlessChromium> browser_;
};

fs::path* ReportBrowserTest::dir_ = nullptr;
json* ReportBrowserTest::rows_ = new json;
int ReportBrowserTest::profiles_ = 0;
std::string* ReportBrowserTest::setupError_ = new std::string;

void ReportBrowserTest::loadsWithNoConsoleErrorAndKeepsAScreenshot() {
    EXPECT_TRUE(browser_->errors().empty()) << browser_->errors().front();
    const fs::path artifacts = SYNO_ARTIFACT_DIR;
    fs::create_directories(artifacts);
    browser_->screenshot(artifacts / "report.png");
    EXPECT_GT(fs::file_size(artifacts / "report.png"), 10000u);
    std::printf("screenshot: %s\n", (artifacts / "report.png").c_str());
}

void ReportBrowserTest::plotsOneMarkPerFinishedCandidate() {
    int finished = 0, failed = 0;
    for (const auto& r : *rows_) {
        if (r["status"] == "done") ++finished;
        if (r["status"] == "failed") ++failed;
    }
    ASSERT_GT(finished, 10);
    ASSERT_GT(failed, 0);  // failed ones are in the table, not in the plot
    EXPECT_EQ(browser_->evaluate("document.querySelectorAll('#pareto g.candidates_marks path').length"), finished);
    EXPECT_EQ(browser_->evaluate("document.querySelectorAll('#candidates tbody tr').length"), rows_->size());
    EXPECT_EQ(browser_->evaluate("document.getElementById('show-all').hidden"), true);
    // A large run shows its first rows until asked for all (here: a limit of 10 stands for 200).
    EXPECT_EQ(browser_->evaluate("synoReport.limit = 10; synoReport.render(); "
                                 "document.querySelectorAll('#candidates tbody tr').length"), 10);
    EXPECT_NE(browser_->evaluate("document.getElementById('row-count').textContent").get<std::string>().find(
                  "the first 10 shown"), std::string::npos);
    click("#show-all");
    EXPECT_EQ(browser_->evaluate("document.querySelectorAll('#candidates tbody tr').length"), rows_->size());
    EXPECT_EQ(browser_->evaluate("document.getElementById('show-all').hidden"), true);
    EXPECT_GT(browser_->evaluate("document.querySelectorAll('#pareto g.front_marks path').length"), 0);
    EXPECT_GT(browser_->evaluate("document.querySelectorAll('#progress path').length"), 0);
}

void ReportBrowserTest::tableSortsOnAHeaderClick() {
    click("#candidates th[data-key=accuracy]");
    auto acc = column("accuracy");
    ASSERT_EQ(acc.size(), rows_->size());
    size_t known = 0;
    while (known < acc.size() && std::isfinite(acc[known])) ++known;
    for (size_t i = known; i < acc.size(); ++i) EXPECT_TRUE(std::isnan(acc[i])) << "missing values sort last";
    EXPECT_TRUE(std::is_sorted(acc.begin(), acc.begin() + static_cast<long>(known)));
    click("#candidates th[data-key=accuracy]");
    acc = column("accuracy");
    EXPECT_TRUE(std::is_sorted(acc.begin(), acc.begin() + static_cast<long>(known), std::greater<>()));
    // The status filter keeps the failed ones only.
    browser_->evaluate("(() => { const s = document.getElementById('status-filter'); s.value = 'failed'; "
                       "s.dispatchEvent(new Event('change')); })()");
    for (double a : column("accuracy")) EXPECT_TRUE(std::isnan(a));
}

void ReportBrowserTest::frontOperatorsAreDrawnAndPointsJumpToThem() {
    const int sections = browser_->evaluate("document.querySelectorAll('section.op').length").get<int>();
    // The front and the best 10 by reward (the default --top), each once.
    EXPECT_EQ(sections, browser_->evaluate("synoReport.data.candidates.filter(c => c.section).length").get<int>());
    EXPECT_EQ(browser_->evaluate("synoReport.data.candidates.filter(c => c.front).every(c => "
                                 "document.getElementById('op-' + c.seq))"), true);
    ASSERT_GT(sections, 0);
    // Graphviz's drawing: the tensors and the primitives as nodes.
    EXPECT_GT(browser_->evaluate("document.querySelectorAll('section.op .graph svg g.node').length").get<int>(), 3);
    EXPECT_EQ(browser_->evaluate("document.querySelector('section.op .graph svg').textContent.includes('input [')"), true);
    // A click on a front point (found in Vega's scenegraph) moves to its section.
    json seq = browser_->evaluate(R"((() => {
        const seqs = new Set(synoReport.data.candidates.filter(c => c.front).map(c => c.seq));
        const paths = Array.from(document.querySelectorAll('#pareto g.candidates_marks path'));
        const p = paths.find(e => e.__data__ && seqs.has(e.__data__.datum.seq));
        p.scrollIntoView({block: 'center'});
        const r = p.getBoundingClientRect();
        window.__point = {x: r.x + r.width / 2, y: r.y + r.height / 2};
        return p.__data__.datum.seq; })())");
    json point = browser_->evaluate("window.__point");
    for (const char* type : {"mouseMoved", "mousePressed", "mouseReleased"})
        browser_->call("Input.dispatchMouseEvent",
                       {{"type", type}, {"x", point["x"]}, {"y", point["y"]}, {"button", "left"}, {"clickCount", 1}});
    EXPECT_TRUE(browser_->waitFor("location.hash === '#op-" + seq.dump() + "'", std::chrono::seconds(5)))
        << "clicking candidate " << seq << " did not jump to its section";
}

// One test, one search and one browser: ctest runs each test in its own process, and the search is the
// slow part (seconds on a quiet machine, minutes beside a training job).
TEST_F(ReportBrowserTest, PageLoadsPlotsSortsAndDraws) {
    loadsWithNoConsoleErrorAndKeepsAScreenshot();
    plotsOneMarkPerFinishedCandidate();
    frontOperatorsAreDrawnAndPointsJumpToThem();
    tableSortsOnAHeaderClick();
    EXPECT_TRUE(browser_->errors().empty()) << browser_->errors().front();
}

}  // namespace
}  // namespace syno::test
