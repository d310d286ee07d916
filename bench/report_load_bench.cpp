// Benchmark (not a test): how long a report page takes to load and draw in headless Chromium, from
// navigation to the page's own "everything drawn" mark (document.body.dataset.ready), against a baseline
// page loaded in the same browser in the same run, interleaved. Usage:
//   report_load_bench big.html baseline.html [rounds=5]
// (bench/report-size.sh makes a 2,000-candidate run and a 12-candidate one and calls it.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report/HeadlessChromium.h"

namespace fs = std::filesystem;

namespace {

// Milliseconds from navigation to the ready mark, as the page's clock measures them; `parsedMs` gets the
// part until the document was parsed and its scripts run (DOMContentLoaded).
double loadMs(syno::test::HeadlessChromium& browser, const fs::path& page, double* parsedMs = nullptr) {
    browser.call("Page.navigate", {{"url", "file://" + fs::absolute(page).string()}});
    if (!browser.waitFor("document.body && document.body.dataset.ready === '1'", std::chrono::seconds(120)))
        throw std::runtime_error("the page did not finish drawing: " + page.string());
    if (parsedMs)
        *parsedMs = browser.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd").get<double>();
    return browser.evaluate("performance.now()").get<double>();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: report_load_bench big.html baseline.html [rounds=5]\n");
        return 1;
    }
    const fs::path big = argv[1], base = argv[2];
    const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
    const fs::path profile = fs::temp_directory_path() / fmt::format("syno-report-bench-{}", ::getpid());
    std::vector<double> a, b, parsed;
    {
        syno::test::HeadlessChromium browser(profile);
        loadMs(browser, base);  // warm-up: the browser's own start-up is not the page's
        for (int r = 0; r < rounds; ++r) {
            double p = 0;
            a.push_back(loadMs(browser, big, &p));
            parsed.push_back(p);
            b.push_back(loadMs(browser, base));
        }
        for (const auto& e : browser.errors()) std::fprintf(stderr, "console: %s\n", e.c_str());
    }
    fs::remove_all(profile);
    fmt::print("{:<40} {:>10} {:>16}\n", "page", "size", "load to drawn");
    fmt::print("{:<40} {:>7.0f} KB {:>13.0f} ms\n", big.filename().string(), fs::file_size(big) / 1024.0, median(a));
    fmt::print("{:<40} {:>7.0f} KB {:>13.0f} ms\n", base.filename().string(), fs::file_size(base) / 1024.0, median(b));
    fmt::print("  of which parsing the page and running its scripts: {:.0f} ms\n", median(parsed));
    fmt::print("ratio (median of {} interleaved loads): {:.2f}x the baseline page's time\n", rounds, median(a) / median(b));
    return 0;
}
