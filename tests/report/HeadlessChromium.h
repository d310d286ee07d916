#pragma once
// A real browser for the report's tests: Debian's Chromium started headless by the test, driven over the
// DevTools protocol on a pipe (--remote-debugging-pipe: commands on its fd 3, replies and events on fd 4,
// each message JSON ending in a NUL byte). No port, no extra package.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace syno::test {

class HeadlessChromium {
public:
    // The browser's path: $SYNO_CHROMIUM, else /usr/bin/chromium; empty when there is none.
    static std::string executable();

    // Starts the browser with a fresh profile in `profileDir` and opens one page of the given size.
    HeadlessChromium(const std::filesystem::path& profileDir, int width = 1300, int height = 2400);
    ~HeadlessChromium();
    HeadlessChromium(const HeadlessChromium&) = delete;
    HeadlessChromium& operator=(const HeadlessChromium&) = delete;

    // A command to the page; returns its "result" and throws std::runtime_error on a protocol error.
    nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object());
    // The value of a JavaScript expression in the page (awaited when it is a promise).
    nlohmann::json evaluate(const std::string& expression);
    // Waits until `expression` is true (polling); false on timeout.
    bool waitFor(const std::string& expression, std::chrono::milliseconds timeout);
    // Console errors, uncaught exceptions and error log entries seen so far, one line each.
    const std::vector<std::string>& errors() const { return errors_; }
    // A PNG of the whole page.
    void screenshot(const std::filesystem::path& png);

private:
    nlohmann::json send(const std::string& method, const nlohmann::json& params, const std::string& session);
    nlohmann::json readMessage(std::chrono::steady_clock::time_point deadline);
    void noteEvent(const nlohmann::json& event);
    pid_t pid_ = -1;
    int toBrowser_ = -1, fromBrowser_ = -1;
    std::string buffer_, session_;
    int nextId_ = 1;
    std::vector<std::string> errors_;
};

}  // namespace syno::test
