#include "storage/WriterLock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::storage {

namespace {

// The pid holding a flock on the file with this device and inode, from /proc/locks; 0 when unknown.
long flockHolder(const struct stat& st) {
    std::ifstream in("/proc/locks");
    std::string line;
    while (std::getline(in, line)) {
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF"
        std::istringstream words(line);
        std::string id, kind, mode, access, device;
        long pid = 0;
        if (!(words >> id >> kind >> mode >> access >> pid >> device) || kind != "FLOCK") continue;
        unsigned major = 0, minor = 0;
        unsigned long long inode = 0;
        if (std::sscanf(device.c_str(), "%x:%x:%llu", &major, &minor, &inode) != 3) continue;
        if (inode == st.st_ino && makedev(major, minor) == st.st_dev) return pid;
    }
    return 0;
}

}  // namespace

WriterLock WriterLock::acquire(const std::string& path, Wait wait) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    WriterLock lock(fd);
    int rc;
    do rc = ::flock(fd, LOCK_EX | (wait == Wait::Yes ? 0 : LOCK_NB));
    while (rc != 0 && errno == EINTR && wait == Wait::Yes);
    if (rc == 0) return lock;
    if (errno != EWOULDBLOCK) throw Error(fmt::format("{}: cannot lock: {}", path, std::strerror(errno)));
    struct stat st {};
    const long pid = ::fstat(fd, &st) == 0 ? flockHolder(st) : 0;
    throw Error(fmt::format("{}: in use by another syno process{}: one writer at a time (wait for it to end, or "
                            "stop it)",
                            path, pid > 0 ? fmt::format(" (pid {})", pid) : ""));
}

bool WriterLock::isHeld(const std::string& path) {
    // Read from /proc/locks rather than by trying the lock, which a writer starting that instant would see.
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && flockHolder(st) != 0;
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

WriterLock::~WriterLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace syno::storage
