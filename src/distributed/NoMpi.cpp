// The distributed layer of a syno built without MPI: a launch by mpirun is refused with one line.
#include "base/Error.h"
#include "distributed/MpiBackend.h"
#include "distributed/MpiWorker.h"

namespace syno::distributed {

MpiSession::MpiSession() {
    throw Error("this syno was built without MPI: install libopenmpi-dev (scripts/install-deps.sh) and rebuild");
}
MpiSession::~MpiSession() = default;

// Unreachable: no MpiSession can exist.
MpiBackend::MpiBackend(const MpiSession&) {}
MpiBackend::~MpiBackend() = default;
void MpiBackend::start(const std::string&, const std::string&) {}
void MpiBackend::dispatch(int, int64_t, const search::Candidate&) {}
void MpiBackend::submit(int64_t, search::Candidate) {}
search::EvaluationEvent MpiBackend::next() { throw Error("built without MPI"); }
void serveEvaluations(const MpiSession&, const EvaluatorFactory&) {}

}  // namespace syno::distributed
