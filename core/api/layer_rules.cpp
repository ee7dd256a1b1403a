#include "csq/layer_rules.h"

#include <algorithm>
#include <cctype>

#include "csq/errors.h"

namespace csq {

namespace {

std::string trimmed(std::string_view s)
{
    const auto first = s.find_first_not_of(" \t\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\n");
    return std::string(s.substr(first, last - first + 1));
}

}  // namespace

std::vector<LayerRule> parseLayerRules(const std::string& text, const std::string& source)
{
    std::vector<LayerRule> rules;
    size_t start = 0;
    while (start <= text.size()) {
        const auto comma = std::min(text.find(',', start), text.size());
        const auto item = trimmed(std::string_view(text).substr(start, comma - start));
        start = comma + 1;
        if (item.empty()) continue;
        const auto hint =
            "write PATTERN=float, PATTERN=MAX, PATTERN=MIN..MAX or PATTERN=MIN.., e.g. \"features.0.0=float, "
            "classifier.*=8, *.conv.1.0=4..\"";
        const auto eq = item.find('=');
        if (eq == std::string::npos) throw Error(source, "rule '" + item + "' has no '='", hint);
        LayerRule rule;
        rule.pattern = trimmed(std::string_view(item).substr(0, eq));
        const auto value = trimmed(std::string_view(item).substr(eq + 1));
        if (rule.pattern.empty()) throw Error(source, "rule '" + item + "' names no layer", hint);
        auto count = [](std::string_view digits) {
            const bool ok = !digits.empty() && digits.size() <= 2 &&
                            std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); });
            return ok ? std::stoi(std::string(digits)) : -1;
        };
        const auto range = value.find("..");
        if (value == "float") {
            rule.quantize = false;
        } else if (range != std::string::npos) {
            const auto low = std::string_view(value).substr(0, range), high = std::string_view(value).substr(range + 2);
            rule.minBits = count(low);
            rule.maxBits = high.empty() ? 0 : count(high);
            if (rule.minBits < 0 || rule.maxBits < 0)
                throw Error(source, "rule '" + item + "': '" + value + "' is not MIN..MAX or MIN..", hint);
            if (rule.minBits < 1 || rule.minBits > 16 || rule.maxBits > 16)
                throw Error(source, "rule '" + item + "': bit counts must be in 1..16", hint);
            if (rule.maxBits > 0 && rule.minBits > rule.maxBits)
                throw Error(source,
                            "rule '" + item + "': at least " + std::to_string(rule.minBits) + " bits but at most " +
                                std::to_string(rule.maxBits),
                            "write the smaller count first");
        } else if (const int bits = count(value); bits >= 0) {
            rule.maxBits = bits;
            if (rule.maxBits < 1 || rule.maxBits > 16)
                throw Error(source, "rule '" + item + "': max bits must be in 1..16", hint);
        } else {
            throw Error(source, "rule '" + item + "': '" + value + "' is neither float nor a bit count", hint);
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

// Iterative glob with one backtrack point: '*' matches any run (dots included), '?' one character.
bool globMatches(std::string_view pattern, std::string_view name)
{
    size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::optional<LayerRule> ruleFor(const std::vector<LayerRule>& rules, std::string_view layerName)
{
    for (auto it = rules.rbegin(); it != rules.rend(); ++it)
        if (globMatches(it->pattern, layerName)) return *it;
    return std::nullopt;
}

}  // namespace csq
