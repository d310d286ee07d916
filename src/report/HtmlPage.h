#pragma once
// Assembles the page from its template (web/page.html, with the style and script beside it), the
// charting libraries and the run's data; all are compiled into the binary (WebAssets.h).
#include <string>

#include <nlohmann/json.hpp>

namespace syno::report {

std::string htmlEscape(const std::string& text);
// `sectionsHtml` is trusted HTML (built with htmlEscape); the data is embedded as inert JSON.
std::string assemblePage(const nlohmann::json& data, const std::string& title, const std::string& sectionsHtml);

}  // namespace syno::report
