#include "HeadlessChromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

extern "C" char** environ;

namespace syno::test {

namespace {

std::string base64Decode(const std::string& in) {
    static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (char c : in) {
        const size_t k = chars.find(c);
        if (k == std::string::npos) continue;  // '=' and line breaks
        value = value << 6 | static_cast<int>(k);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(value >> bits & 0xff);
        }
    }
    return out;
}

constexpr auto kCallTimeout = std::chrono::seconds(60);

}  // namespace

std::string HeadlessChromium::executable() {
    if (const char* env = std::getenv("SYNO_CHROMIUM"); env && *env) return env;
    return access("/usr/bin/chromium", X_OK) == 0 ? "/usr/bin/chromium" : "";
}

HeadlessChromium::HeadlessChromium(const std::filesystem::path& profileDir, int width, int height) {
    int commands[2], replies[2];  // [0] read end, [1] write end
    if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    // The browser reads commands on fd 3 and writes replies on fd 4.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, commands[0], 3);
    posix_spawn_file_actions_adddup2(&actions, replies[1], 4);
    const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    posix_spawn_file_actions_adddup2(&actions, devnull, 1);
    posix_spawn_file_actions_adddup2(&actions, devnull, 2);  // its D-Bus and GPU chatter
    const std::string exe = executable();
    std::vector<std::string> args = {exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                     "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                                     "--remote-debugging-pipe", "--user-data-dir=" + profileDir.string(),
                                     "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                     "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(commands[0]);
    close(replies[1]);
    close(devnull);
    toBrowser_ = commands[1];
    fromBrowser_ = replies[0];
    if (rc != 0) throw std::runtime_error("cannot start " + exe);
    // One page, attached in flat mode: its commands carry the session id.
    const auto target = send("Target.createTarget", {{"url", "about:blank"}}, "");
    const auto attached = send("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}}, "");
    session_ = attached["sessionId"].get<std::string>();
    call("Runtime.enable");
    call("Log.enable");
    call("Page.enable");
    call("Emulation.setDeviceMetricsOverride",
         {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}});
}

HeadlessChromium::~HeadlessChromium() {
    if (pid_ > 0) {
        try {
            send("Browser.close", nlohmann::json::object(), "");
        } catch (...) {
        }
        // Give it a moment to exit on its own, then end it.
        for (int i = 0; i < 50; ++i) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            usleep(100000);
        }
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    if (toBrowser_ >= 0) close(toBrowser_);
    if (fromBrowser_ >= 0) close(fromBrowser_);
}

nlohmann::json HeadlessChromium::readMessage(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (size_t end = buffer_.find('\0'); end != std::string::npos) {
            auto message = nlohmann::json::parse(buffer_.substr(0, end));
            buffer_.erase(0, end + 1);
            return message;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("the browser did not answer in time");
        pollfd p{fromBrowser_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char chunk[65536];
        const ssize_t n = read(fromBrowser_, chunk, sizeof chunk);
        if (n <= 0) throw std::runtime_error("the browser closed its pipe");
        buffer_.append(chunk, static_cast<size_t>(n));
    }
}

void HeadlessChromium::noteEvent(const nlohmann::json& event) {
    const std::string method = event.value("method", "");
    const auto& p = event.contains("params") ? event["params"] : nlohmann::json::object();
    if (method == "Runtime.exceptionThrown") {
        const auto& d = p["exceptionDetails"];
        errors_.push_back("exception: " + d.value("text", "") + " " +
                          (d.contains("exception") ? d["exception"].value("description", "") : ""));
    } else if (method == "Runtime.consoleAPICalled" && p.value("type", "") == "error") {
        std::string line = "console.error:";
        for (const auto& a : p["args"]) line += " " + (a.contains("value") ? a["value"].dump() : a.value("description", ""));
        errors_.push_back(line);
    } else if (method == "Log.entryAdded" && p["entry"].value("level", "") == "error") {
        errors_.push_back("log: " + p["entry"].value("text", "") + " " + p["entry"].value("url", ""));
    }
}

nlohmann::json HeadlessChromium::send(const std::string& method, const nlohmann::json& params,
                                      const std::string& session) {
    const int id = nextId_++;
    nlohmann::json message{{"id", id}, {"method", method}, {"params", params}};
    if (!session.empty()) message["sessionId"] = session;
    const std::string text = message.dump() + '\0';
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = write(toBrowser_, text.data() + done, text.size() - done);
        if (n <= 0) throw std::runtime_error("cannot write to the browser");
        done += static_cast<size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + kCallTimeout;
    for (;;) {
        auto reply = readMessage(deadline);
        if (!reply.contains("id")) {
            noteEvent(reply);
            continue;
        }
        if (reply["id"] != id) continue;
        if (reply.contains("error")) throw std::runtime_error(method + ": " + reply["error"].dump());
        return reply.value("result", nlohmann::json::object());
    }
}

nlohmann::json HeadlessChromium::call(const std::string& method, const nlohmann::json& params) {
    return send(method, params, session_);
}

nlohmann::json HeadlessChromium::evaluate(const std::string& expression) {
    auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
    if (r.contains("exceptionDetails")) throw std::runtime_error("evaluate: " + r["exceptionDetails"].dump());
    return r["result"].value("value", nlohmann::json());
}

bool HeadlessChromium::waitFor(const std::string& expression, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (evaluate("!!(" + expression + ")") == true) return true;
        usleep(50000);
    }
    return false;
}

void HeadlessChromium::screenshot(const std::filesystem::path& png) {
    auto r = call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
    std::ofstream(png, std::ios::binary) << base64Decode(r["data"].get<std::string>());
}

}  // namespace syno::test
