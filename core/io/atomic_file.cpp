#include "io/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csq/errors.h"

namespace csq::io {

namespace {

// Writes every byte (retrying short and interrupted writes); the errno of a failure, else 0.
int writeAll(int fd, std::string_view bytes)
{
    for (size_t written = 0; written < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno != EINTR) return errno;
        if (n > 0) written += static_cast<size_t>(n);
    }
    return 0;
}

}  // namespace

void writeFileAtomic(const std::string& path, std::string_view bytes)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path temp = target.string() + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(path, std::string("cannot write: ") + std::strerror(errno), "choose a writable folder");
    int error = writeAll(fd, bytes);
    if (!error && ::fsync(fd) != 0 && errno != EINVAL) error = errno;
    if (::close(fd) != 0 && !error) error = errno;
    if (!error && ::rename(temp.c_str(), target.c_str()) != 0) error = errno;
    if (error) {
        ::unlink(temp.c_str());
        throw Error(path, std::string("write failed: ") + std::strerror(error),
                    "free space or choose another folder; the previous file is unchanged");
    }
}

bool appendToFile(const std::string& path, std::string_view bytes, uint64_t expectedSize)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat info {};
    if (::fstat(fd, &info) != 0 || static_cast<uint64_t>(info.st_size) != expectedSize) {
        ::close(fd);
        return false;
    }
    int error = writeAll(fd, bytes);
    if (!error && ::fdatasync(fd) != 0 && errno != EINVAL) error = errno;
    if (error && ::ftruncate(fd, static_cast<off_t>(expectedSize)) != 0) error = errno;
    if (::close(fd) != 0 && !error) error = errno;
    if (error)
        throw Error(path, std::string("write failed: ") + std::strerror(error),
                    "free space or choose another folder; the previous file is unchanged");
    return true;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open the file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace csq::io
