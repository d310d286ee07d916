#pragma once
// One writer per run database: an exclusive flock(2) on the file itself, held for as long as the object
// lives. The kernel drops it when the holder exits, however it exits, so a killed process leaves no stale
// lock behind; SQLite's own locks (fcntl) are independent of it. Readers never take it.
#include <string>

namespace syno::storage {

class WriterLock {
public:
    enum class Wait { No, Yes };
    // Takes the lock on `path` (an existing file). Wait::No refuses at once, naming the holder's pid
    // when /proc/locks tells it; Wait::Yes blocks until the holder ends.
    static WriterLock acquire(const std::string& path, Wait wait);
    // Whether some process holds the lock now (a reader's question: is a writer at work?).
    static bool isHeld(const std::string& path);

    WriterLock(WriterLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    WriterLock& operator=(WriterLock&& other) noexcept;
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
    ~WriterLock();

private:
    explicit WriterLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace syno::storage
