#include "csq/input_normalization.h"

#include <cmath>
#include <cstdlib>

#include "csq/errors.h"

namespace csq {

namespace {

const char* const kAccepted =
    "write dataset, none, or means/stds per channel such as 0.485,0.456,0.406/0.229,0.224,0.225";

std::vector<float> numbers(const std::string& list, const std::string& source)
{
    std::vector<float> out;
    size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        const auto item = list.substr(start, comma - start);
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || end == item.c_str() || *end != '\0' || !std::isfinite(v))
            throw Error(source, "'" + item + "' is not a number", kAccepted);
        out.push_back(static_cast<float>(v));
        start = comma + 1;
    }
    return out;
}

}  // namespace

InputNormalization parseInputNormalization(const std::string& text, const std::string& source)
{
    InputNormalization n;
    if (text == "dataset") return n;
    if (text == "none") {
        n.kind = InputNormalization::Kind::None;
        return n;
    }
    const auto slash = text.find('/');
    if (slash == std::string::npos) throw Error(source, "'" + text + "' is not a setting", kAccepted);
    n.kind = InputNormalization::Kind::Given;
    n.mean = numbers(text.substr(0, slash), source);
    n.std = numbers(text.substr(slash + 1), source);
    if (n.mean.size() != n.std.size())
        throw Error(source, std::to_string(n.mean.size()) + " means but " + std::to_string(n.std.size()) + " stds",
                    "give one of each per channel");
    for (float s : n.std)
        if (!(s > 0)) throw Error(source, "a standard deviation must be > 0", kAccepted);
    return n;
}

}  // namespace csq
