#pragma once
// Per-layer quantization rules a user sets by layer name or glob (config layer_rules): a layer kept
// float, or searched with its own bounds. Written as "PATTERN=float", "PATTERN=MAX" (its own max bits),
// "PATTERN=MIN..MAX" or "PATTERN=MIN.." (at least MIN bits, whatever the budget), comma-separated, e.g.
// "features.0.0=float, classifier.*=8, *.conv.1.0=4.., features.1.*=8..8"; a later rule wins.
// Torch-free: the config's validation and the Setup panel read it too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csq {

struct LayerRule {
    std::string pattern;   // a layer's qualified name, '*' any run of characters, '?' one character
    bool quantize = true;  // false: the layer stays float, outside the scheme
    int maxBits = 0;       // > 0: the layer's own max bits
    int minBits = 0;       // > 0: the search, the ticket and its allocation keep at least this many
};

// Throws csq::Error naming `source` and the rule at fault.
std::vector<LayerRule> parseLayerRules(const std::string& text, const std::string& source = "layer_rules");

bool globMatches(std::string_view pattern, std::string_view name);

// What the rules say of one layer: the last rule whose pattern matches it, if any.
std::optional<LayerRule> ruleFor(const std::vector<LayerRule>& rules, std::string_view layerName);

}  // namespace csq
