#pragma once
// IDX files as bytes for the data tests: a header with big-endian dimensions, and gzip through
// Boost.Iostreams, so every test builds the exact bytes it needs (including broken ones).
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

// GCC 12 reports false bounds warnings (its known std::string::insert issue) in gzip_compressor's footer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#pragma GCC diagnostic pop

namespace csq::test {

// Header (00 00 type ndims, big-endian uint32 dims) followed by `data`.
inline std::string idxBytes(const std::vector<uint32_t>& dims, const std::string& data, unsigned char type = 0x08)
{
    std::string bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
    for (uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<char>((d >> shift) & 0xff));
    return bytes + data;
}

inline std::string gzipped(const std::string& bytes)
{
    std::ostringstream compressed;
    {
        boost::iostreams::filtering_ostream out;
        out.push(boost::iostreams::gzip_compressor());
        out.push(compressed);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }  // the destructor flushes the compressor and writes the gzip footer
    return compressed.str();
}

}  // namespace csq::test
