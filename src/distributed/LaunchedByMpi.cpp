#include <cstdlib>
#include <string>

#include "distributed/MpiSession.h"

namespace syno::distributed {

bool launchedByMpi() {
    // OpenMPI's mpirun, a PMIx or PMI launcher (srun --mpi=pmix, MPICH's hydra), or a Slurm step of
    // several tasks (OpenMPI starts from Slurm's environment directly).
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(name)) return true;
    const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
    return tasks && std::atoi(tasks) > 1;
}

}  // namespace syno::distributed
