#include "base/Cores.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace syno {

namespace {

// The quota of the process's cgroup (v2) in CPUs, or 0 when there is none.
int cgroupQuota() {
    std::ifstream self("/proc/self/cgroup");
    std::string line, group;
    while (std::getline(self, line))
        if (line.rfind("0::", 0) == 0) group = line.substr(3);
    if (group.empty()) return 0;
    std::ifstream max("/sys/fs/cgroup" + (group == "/" ? std::string() : group) + "/cpu.max");
    std::string quota;
    double period = 0;
    if (!(max >> quota >> period) || quota == "max" || period <= 0) return 0;
    try {
        return std::max(1, static_cast<int>(std::ceil(std::stod(quota) / period)));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

int availableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    if (const int quota = cgroupQuota(); quota > 0) cores = std::min(cores, quota);
    return std::max(cores, 1);
}

}  // namespace syno
