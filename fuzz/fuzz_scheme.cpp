// Fuzz target: scheme.json / summary.json layers, the reader the GUI and the engine share: any text is
// a list of layers or a csq::Error naming the file and layer; what we write we read back unchanged.
#include <string>

#include "csq/errors.h"
#include "csq/scheme.h"
#include "io/run_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto layers = csq::schemeLayersFromJson(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
        const auto text = csq::io::schemeJson(layers, csq::precisionOf(layers), csq::BudgetMode::Size, 2.0);
        const auto again = csq::schemeLayersFromJson(text, "round trip");
        if (again.size() != layers.size()) __builtin_trap();
        for (size_t i = 0; i < layers.size(); ++i)
            if (again[i].name != layers[i].name || again[i].kept != layers[i].kept ||
                again[i].params != layers[i].params || again[i].maxBits != layers[i].maxBits ||
                again[i].searchable != layers[i].searchable)
                __builtin_trap();
    } catch (const csq::Error&) {
    }
    return 0;
}
