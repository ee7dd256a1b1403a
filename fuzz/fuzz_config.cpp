// Fuzz target: config.json parsing and validation: any text is a config or a csq::Error naming a key.
#include <string>

#include "csq/config.h"
#include "csq/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto config = csq::configFromJson(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
        (void)csq::validate(config);
        (void)csq::configFromJson(csq::toJson(config), "round trip");  // what we write we can read
    } catch (const csq::Error&) {
    }
    return 0;
}
