#pragma once
// Writes a file so that readers see either the old or the new content, never a torn one: the bytes
// go to a temporary beside the target, are flushed, then renamed over it. A log that only grows is
// appended to instead, cut back to its old length when a write fails.
#include <cstdint>
#include <string>
#include <string_view>

namespace csq::io {

// Throws csq::Error naming the path (and leaves any previous file intact) when writing fails.
void writeFileAtomic(const std::string& path, std::string_view bytes);
// Appends bytes to the file when it is still `expectedSize` bytes long (what the caller wrote last);
// returns false, touching nothing, when it is missing or has another length. A failed write is cut
// back to expectedSize (readers never keep a torn line) and throws csq::Error naming the path.
bool appendToFile(const std::string& path, std::string_view bytes, uint64_t expectedSize);
std::string readFile(const std::string& path);

}  // namespace csq::io
