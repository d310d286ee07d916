// `syno report` and `syno show --graph` end to end: bad input gets one line and a non-zero exit and the
// file stays byte-identical; a run still being written is reported as it is; the page is self-contained.
#include <gtest/gtest.h>

#include <filesystem>

#include "SynoProcess.h"
#include "storage/RunDatabase.h"

namespace syno::test {
namespace {

namespace fs = std::filesystem;

struct ReportCli : ::testing::Test {
    void SetUp() override { dir = makeTempDir("syno_report_cli"); }
    void TearDown() override { fs::remove_all(dir); }
    std::string path(const std::string& name) const { return (dir / name).string(); }
    void refused(const std::vector<std::string>& args, const std::string& mention) {
        auto r = runSyno(args, dir);
        EXPECT_EQ(r.exitCode, 1) << r.out;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(mention), std::string::npos) << r.err;
    }
    fs::path dir;
};

storage::RunInfo someInfo() { return {"{}", storage::stableHashHex("{}"), 1, "random", "test", "2026-01-01T00:00:00Z", "0"}; }

TEST_F(ReportCli, RefusesWhatIsNotARunAndChangesNothing) {
    std::ofstream(path("text.db")) << "hello\n";
    std::ofstream(path("empty.db"));
    for (const char* name : {"text.db", "empty.db"}) {
        const std::string before = readFile(path(name));
        refused({"report", path(name), "-o", path("out.html")}, "not a syno run database");
        EXPECT_EQ(readFile(path(name)), before);
    }
    refused({"report", path("missing.db")}, "missing.db");
    EXPECT_FALSE(fs::exists(path("out.html")));
}

TEST_F(ReportCli, ARunWithNoCandidateIsOneLineAndUntouched) {
    { storage::RunDatabase::create(path("new.db"), someInfo()); }
    const std::string before = readFile(path("new.db"));
    refused({"report", path("new.db")}, "no candidate yet");
    EXPECT_EQ(readFile(path("new.db")), before);
    refused({"report", path("new.db"), "-o", path("new.db")}, "would overwrite the run database");
}

TEST_F(ReportCli, ARunBeingWrittenIsReportedAsItIs) {
    auto db = storage::RunDatabase::create(path("live.db"), someInfo());  // held open, the writer lock taken
    search::Candidate c{"not an operator", "00ff", "p", 1, 1};
    db.queued(1, 0, c);
    db.started(1);
    const std::string before = readFile(path("live.db")) + readFile(path("live.db-wal"));
    auto r = runSyno({"report", path("live.db"), "-o", path("live.html")}, dir);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("1 not finished"), std::string::npos) << r.out;
    EXPECT_EQ(readFile(path("live.db")) + readFile(path("live.db-wal")), before);
    const std::string page = readFile(path("live.html"));
    EXPECT_NE(page.find("\"status\":\"running\""), std::string::npos);
    // Offline: no script, style or image fetched from anywhere.
    EXPECT_EQ(page.find("<script src"), std::string::npos);
    EXPECT_EQ(page.find("<link rel=\"stylesheet\""), std::string::npos);
}

TEST_F(ReportCli, ShowDrawsAnOperatorsGraph) {
    auto r = runSyno({"show", "--library", "conv2d", "--graph", path("conv.svg")}, dir);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string svg = readFile(path("conv.svg"));
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("input ["), std::string::npos);
    EXPECT_NE(svg.find("unfold"), std::string::npos);
    refused({"show", "--library", "conv2d", "--graph", path("no/dir/g.svg")}, "g.svg");
}

TEST_F(ReportCli, HelpExplainsEveryOption) {
    auto r = runSyno({"report", "--help"}, dir);
    ASSERT_EQ(r.exitCode, 0);
    for (const char* word : {"--output", "--top", "Examples", "syno report run.db", "--report"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace syno::test
