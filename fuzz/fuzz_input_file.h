#pragma once
// The readers under fuzz take paths: each input goes to one file in /dev/shm (memory, not disk),
// rewritten per input, so a run of a million inputs costs no disk wear.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include <unistd.h>

namespace csq::fuzz {

inline const std::string& inputFile()
{
    static const std::string path = "/dev/shm/csq-fuzz-" + std::to_string(::getpid());
    return path;
}

inline const std::string& writeInput(const uint8_t* data, size_t size)
{
    std::ofstream out(inputFile(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return inputFile();
}

}  // namespace csq::fuzz
