#pragma once
// Writes a file so that readers see either the old or the new content, never a torn one: the bytes
// go to a temporary beside the target, are flushed, then renamed over it.
#include <string>
#include <string_view>

namespace csq::io {

// Throws csq::Error naming the path (and leaves any previous file intact) when writing fails.
void writeFileAtomic(const std::string& path, std::string_view bytes);
std::string readFile(const std::string& path);

}  // namespace csq::io
