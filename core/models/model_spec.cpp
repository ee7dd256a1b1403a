#include "models/model_spec.h"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "csq/errors.h"

namespace csq::models {

namespace json = boost::json;

namespace {

struct KindInfo {
    LayerKind kind;
    std::set<std::string> keys;  // allowed besides "type"
};

const std::map<std::string, KindInfo>& kinds()
{
    static const std::set<std::string> weighted{"name", "out", "bias", "quantize", "max_bits"};
    static const std::set<std::string> pool{"kernel", "stride", "padding"};
    auto with = [](std::set<std::string> a, const std::set<std::string>& b) {
        a.insert(b.begin(), b.end());
        return a;
    };
    static const std::map<std::string, KindInfo> table{
        {"conv", {LayerKind::Conv, with(weighted, pool)}},
        {"linear", {LayerKind::Linear, weighted}},
        {"batchnorm", {LayerKind::BatchNorm, {"name", "eps", "momentum"}}},
        {"relu", {LayerKind::Relu, {}}},
        {"relu6", {LayerKind::Relu6, {}}},
        {"maxpool", {LayerKind::MaxPool, pool}},
        {"avgpool", {LayerKind::AvgPool, pool}},
        {"adaptive_avgpool", {LayerKind::AdaptiveAvgPool, {"output_size"}}},
        {"flatten", {LayerKind::Flatten, {}}},
        {"dropout", {LayerKind::Dropout, {"p"}}},
        {"residual", {LayerKind::Residual, {"name", "body", "shortcut", "activation"}}},
    };
    return table;
}

std::string typeList()
{
    std::string out;
    for (const auto& [name, info] : kinds()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

class Parser {
public:
    explicit Parser(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const
    {
        throw Error(source_ + ": " + where, what, "see the model spec format in docs/reference/model-spec.md");
    }

    int64_t whole(const json::object& o, const std::string& path, const char* key, int64_t fallback, int64_t min) const
    {
        const auto* v = o.if_contains(key);
        if (!v) return fallback;
        json::error_code ec;
        const auto n = v->to_number<int64_t>(ec);
        if (ec || n < min) fail(path + "." + key, "expected a whole number >= " + std::to_string(min));
        return n;
    }

    double real(const json::object& o, const std::string& path, const char* key, double fallback, double min,
                double max) const
    {
        const auto* v = o.if_contains(key);
        if (!v) return fallback;
        if (!v->is_number()) fail(path + "." + key, "expected a number");
        const double x = v->to_number<double>();
        if (!(x >= min && x <= max))
            fail(path + "." + key, "expected a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
        return x;
    }

    bool flag(const json::object& o, const std::string& path, const char* key, bool fallback) const
    {
        const auto* v = o.if_contains(key);
        if (!v) return fallback;
        if (!v->is_bool()) fail(path + "." + key, "expected true or false");
        return v->get_bool();
    }

    std::string text(const json::object& o, const std::string& path, const char* key) const
    {
        const auto* v = o.if_contains(key);
        if (!v) return {};
        if (!v->is_string()) fail(path + "." + key, "expected a string");
        return std::string(v->get_string());
    }

    std::vector<LayerSpec> sequence(const json::value& v, const std::string& path) const
    {
        if (!v.is_array()) fail(path, "expected an array of layers");
        std::vector<LayerSpec> layers;
        const auto& items = v.get_array();
        for (size_t i = 0; i < items.size(); ++i)
            layers.push_back(layer(items[i], path + "[" + std::to_string(i) + "]"));
        return layers;
    }

    LayerSpec layer(const json::value& v, const std::string& path) const
    {
        if (!v.is_object()) fail(path, "expected a layer object with a \"type\"");
        const auto& o = v.get_object();
        const auto type = text(o, path, "type");
        const auto it = kinds().find(type);
        if (it == kinds().end())
            fail(path + ".type",
                 (type.empty() ? "missing" : "unknown type '" + type + "'") + std::string("; one of ") + typeList());
        for (const auto& kv : o)
            if (kv.key() != "type" && !it->second.keys.count(std::string(kv.key())))
                fail(path + "." + std::string(kv.key()), "not a field of a " + type + " layer");
        LayerSpec l;
        l.kind = it->second.kind;
        l.jsonPath = path;
        l.name = text(o, path, "name");
        if (!l.name.empty() &&
            (l.name.find("..") != std::string::npos || l.name.front() == '.' || l.name.back() == '.'))
            fail(path + ".name", "'" + l.name + "' is not a module path like features.0");
        switch (l.kind) {
            case LayerKind::Conv:
            case LayerKind::Linear:
                weighted(o, path, l);
                break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                l.kernel = whole(o, path, "kernel", 2, 1);
                l.stride = whole(o, path, "stride", l.kernel, 1);
                l.padding = whole(o, path, "padding", 0, 0);
                if (l.padding * 2 > l.kernel) fail(path + ".padding", "must be at most half the kernel");
                break;
            case LayerKind::BatchNorm:
                l.eps = real(o, path, "eps", l.eps, 1e-12, 1.0);
                l.momentum = real(o, path, "momentum", l.momentum, 0.0, 1.0);
                break;
            case LayerKind::AdaptiveAvgPool:
                l.outputSize = whole(o, path, "output_size", 1, 1);
                break;
            case LayerKind::Dropout:
                l.dropout = real(o, path, "p", l.dropout, 0.0, 0.999);
                break;
            case LayerKind::Residual:
                residual(o, path, l);
                break;
            default:
                break;
        }
        return l;
    }

    void weighted(const json::object& o, const std::string& path, LayerSpec& l) const
    {
        const auto* out = o.if_contains("out");
        if (!out)
            fail(path + ".out", "missing: the number of output " +
                                    std::string(l.kind == LayerKind::Conv ? "channels" : "features") +
                                    " or \"classes\"");
        if (out->is_string() && out->get_string() == "classes") {
            l.outIsClasses = true;
        } else {
            l.out = whole(o, path, "out", 0, 1);
        }
        if (l.kind == LayerKind::Conv) {
            l.kernel = whole(o, path, "kernel", 3, 1);
            l.stride = whole(o, path, "stride", 1, 1);
            l.padding = whole(o, path, "padding", 0, 0);
        }
        l.bias = flag(o, path, "bias", true);
        if (o.contains("quantize")) l.quantize = flag(o, path, "quantize", true);
        if (o.contains("max_bits")) {
            const auto bits = whole(o, path, "max_bits", 8, 1);
            if (bits > 16) fail(path + ".max_bits", "expected 1..16");
            l.maxBits = static_cast<int>(bits);
        }
    }

    void residual(const json::object& o, const std::string& path, LayerSpec& l) const
    {
        const auto* body = o.if_contains("body");
        if (!body) fail(path + ".body", "missing: the layers of the residual branch");
        l.body = sequence(*body, path + ".body");
        if (l.body.empty()) fail(path + ".body", "must hold at least one layer");
        if (const auto* shortcut = o.if_contains("shortcut")) l.shortcut = sequence(*shortcut, path + ".shortcut");
        const auto activation = text(o, path, "activation");
        if (activation != "" && activation != "relu" && activation != "none")
            fail(path + ".activation", "expected \"relu\" (the default) or \"none\"");
        l.activationAfterAdd = activation != "none";
    }

    ModelSpec model(const std::string& text) const
    {
        json::value root;
        try {
            root = json::parse(text);
        } catch (const std::exception& e) {
            fail("JSON", std::string("cannot be parsed: ") + e.what());
        }
        if (!root.is_object()) fail("top level", "expected an object with \"layers\"");
        const auto& o = root.get_object();
        for (const auto& kv : o)
            if (kv.key() != "name" && kv.key() != "layers" && kv.key() != "description")
                fail(std::string(kv.key()), "unknown key; a spec has name, description and layers");
        ModelSpec spec;
        spec.name = this->text(o, "name", "name");
        const auto* layers = o.if_contains("layers");
        if (!layers) fail("layers", "missing: the network's layers");
        spec.layers = sequence(*layers, "layers");
        if (spec.layers.empty()) fail("layers", "must hold at least one layer");
        return spec;
    }

private:
    std::string source_;
};

}  // namespace

ModelSpec parseModelSpec(const std::string& jsonText, const std::string& source)
{
    return Parser(source).model(jsonText);
}

}  // namespace csq::models
