#include "report/HtmlPage.h"

#include "report/WebAssets.h"

namespace syno::report {

std::string htmlEscape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace {

// Replaces the first marker at or after `from` and returns where the inserted text ends: the markers are
// filled in the order they appear, so text inserted (a user's operator, say) is never searched for one.
size_t replaceOnce(std::string& page, const std::string& marker, std::string_view with, size_t from) {
    const size_t at = page.find(marker, from);
    if (at == std::string::npos) return from;
    page.replace(at, marker.size(), with);
    return at + with.size();
}

// Inside <script>, "</" could end the element early: JSON allows "<\/" for it.
std::string scriptSafeJson(const nlohmann::json& data) {
    std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
    }
    return out;
}

}  // namespace

std::string assemblePage(const nlohmann::json& data, const std::string& title, const std::string& sectionsHtml) {
    std::string page(webAsset("page.html"));
    size_t at = replaceOnce(page, "<!--SYNO:TITLE-->", htmlEscape(title), 0);
    at = replaceOnce(page, "/*SYNO:STYLE*/", webAsset("report.css"), at);
    at = replaceOnce(page, "<!--SYNO:SECTIONS-->", sectionsHtml, at);
    at = replaceOnce(page, "<!--SYNO:DATA-->", scriptSafeJson(data), at);
    std::string libs;
    for (const char* lib : {"vega.min.js", "vega-lite.min.js", "vega-embed.min.js"}) {
        libs += "<script>";
        libs += webAsset(lib);
        libs += "</script>\n";
    }
    at = replaceOnce(page, "<!--SYNO:LIBS-->", libs, at);
    replaceOnce(page, "/*SYNO:SCRIPT*/", webAsset("report.js"), at);
    return page;
}

}  // namespace syno::report
