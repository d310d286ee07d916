#pragma once
// Files compiled into the binary by EmbedAssets.cmake: the page's template, style and script, and the
// minified Vega, Vega-Lite and vega-embed bundles installed from npm by scripts/install-deps.sh.
#include <string_view>

namespace syno::report {

// The asset's bytes; throws std::out_of_range for a name that was not embedded.
std::string_view webAsset(std::string_view name);

}  // namespace syno::report
