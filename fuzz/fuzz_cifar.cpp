// Fuzz target: the CIFAR reader; the first byte picks CIFAR-10 or CIFAR-100, the rest is the file.
#include "csq/errors.h"
#include "data/cifar_reader.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const auto variant = data[0] % 2 ? csq::data::CifarVariant::Cifar100 : csq::data::CifarVariant::Cifar10;
    try {
        const auto d = csq::data::readCifar({csq::fuzz::writeInput(data + 1, size - 1)}, variant);
        if (d.size() > 0) (void)d.labels.max().item<int64_t>();
    } catch (const csq::Error&) {
    }
    return 0;
}
