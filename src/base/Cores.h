#pragma once
// How many CPUs this process may actually use: the affinity mask, bounded by a cgroup v2 CPU quota.
// More threads than that only oversubscribe the cores (and spin in OpenMP barriers).
namespace syno {

int availableCores();

}  // namespace syno
