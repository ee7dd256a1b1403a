// Fuzz target: model spec parsing: any text is a spec or a csq::Error with its JSON path.
#include <string>

#include "csq/errors.h"
#include "models/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        (void)csq::models::parseModelSpec(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    } catch (const csq::Error&) {
    }
    return 0;
}
