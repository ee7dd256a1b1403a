// Fuzz target: the IDX reader (plain and gzipped) must reject any byte string with csq::Error, never
// crash, hang or allocate what a header claims.
#include "csq/errors.h"
#include "data/idx_reader.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto t = csq::data::readIdx(csq::fuzz::writeInput(data, size));
        if (t.numel() > 0) (void)t.sum().item<int64_t>();  // the tensor must be readable in full
    } catch (const csq::Error&) {
    }
    return 0;
}
