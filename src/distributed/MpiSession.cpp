#include "distributed/MpiSession.h"

#include <mpi.h>

#include "base/Error.h"

namespace syno::distributed {

MpiSession::MpiSession() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised) throw Error("MPI is already running in this process");
    int provided = 0;
    // Funneled: libtorch and the local pool run threads, but only this one calls MPI.
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw Error("MPI could not start (MPI_Init_thread failed)");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised) MPI_Finalize();
}

}  // namespace syno::distributed
