#pragma once
// The MPI tags of rank 0's conversation with an evaluating rank, and sending and receiving text. Private
// to the MPI build of this folder.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace syno::distributed {

enum Tag : int {
    kSetup = 1,   // 0 -> rank: the evaluator spec
    kReady = 2,   // rank -> 0: its evaluator's fingerprint
    kRefused = 3, // rank -> 0: why it could not build the evaluator (one line)
    kJob = 4,     // 0 -> rank: a JobMessage
    kResult = 5,  // rank -> 0: a ResultMessage
    kStop = 6,    // 0 -> rank: no more work (empty)
};

inline void sendText(const std::string& text, int to, Tag tag) {
    MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

// Waits for a message without spinning: MPI's own blocking probe polls at full speed, which would take a
// core from the training on the same node (and from rank 0's neighbours). Messages that come quickly are
// met at once; an idle wait backs off to a millisecond between polls.
inline void awaitMessage(int from, int tag, MPI_Status& status) {
    auto pause = std::chrono::microseconds(0);
    for (int flag = 0;;) {
        MPI_Iprobe(from, tag, MPI_COMM_WORLD, &flag, &status);
        if (flag) return;
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
        pause = std::min(std::chrono::microseconds(1000), pause * 2 + std::chrono::microseconds(1));
    }
}

// The next message from `from` (or any rank) with `tag` (or any tag), whatever its length.
inline std::string receiveText(int from, int tag, MPI_Status& status) {
    awaitMessage(from, tag, status);
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string text(static_cast<size_t>(length), '\0');
    MPI_Recv(text.data(), length, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return text;
}

}  // namespace syno::distributed
