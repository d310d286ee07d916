#pragma once
// MPI for one `syno search` under mpirun or srun. A process started by a launcher finds its rank in the
// environment; only such a process starts MPI, so a plain `syno search` never touches it.
namespace syno::distributed {

// True when mpirun, srun or another PMI launcher started this process.
bool launchedByMpi();

// MPI from construction to destruction (MPI_Init_thread ... MPI_Finalize). Only the thread that made it
// may use MPI. Throws syno::Error when syno was built without MPI.
class MpiSession {
public:
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }

private:
    int rank_ = 0, size_ = 1;
};

}  // namespace syno::distributed
