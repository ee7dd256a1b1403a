#include "csq/sensitivity.h"

#include <algorithm>
#include <cstdio>

namespace csq {

namespace {

std::string format(const char* pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

}  // namespace

std::string sensitivityCsv(const Sensitivity& s)
{
    std::string out = "layer,params,macs,bits,loss_added,accuracy_drop,epoch\n";
    const auto epoch = format("%g", s.epoch);
    for (const auto& layer : s.layers)
        for (size_t k = 0; k < layer.lossAdded.size(); ++k)
            out += layer.name + ',' + std::to_string(layer.params) + ',' + std::to_string(layer.macs) + ',' +
                   std::to_string(k + 1) + ',' + format("%.9g", layer.lossAdded[k]) + ',' +
                   format("%.9g", layer.accuracyDrop[k]) + ',' + epoch + '\n';
    return out;
}

std::string sensitivityTable(const Sensitivity& s)
{
    size_t counts = 0;
    for (const auto& layer : s.layers) counts = std::max(counts, layer.lossAdded.size());
    std::string out = "loss added (nats) and accuracy lost (points) when one layer alone is rounded onto k bits; " +
                      std::to_string(s.images) + " images at " + format("%.4f", s.referenceLoss) + " nats, " +
                      format("%.2f", s.referenceAccuracy) + " %\n\n| layer | params | MACs |";
    for (size_t k = 1; k <= counts; ++k) out += ' ' + std::to_string(k) + (k == 1 ? " bit |" : " bits |");
    out += "\n| --- | --- | --- |";
    for (size_t k = 1; k <= counts; ++k) out += " --- |";
    out += '\n';
    for (const auto& layer : s.layers) {
        out += "| " + layer.name + " | " + std::to_string(layer.params) + " | " + std::to_string(layer.macs) + " |";
        for (size_t k = 0; k < counts; ++k) {
            if (layer.held)
                out += k == 0 ? " held |" : " |";
            else if (k < layer.lossAdded.size())
                out += ' ' + format("%.4f", layer.lossAdded[k]) + " (" +
                       format("%+.2f", layer.accuracyDrop[k] == 0 ? 0.0 : -layer.accuracyDrop[k]) + ") |";
            else
                out += " |";
        }
        out += '\n';
    }
    return out;
}

}  // namespace csq
