#pragma once
// The catalog's builders, one family per file (SmallLayouts.cpp, NetworkLayouts.cpp); ModelCatalog.cpp
// dispatches on the name and gives the slots their bindings. Internal to the evaluation layer.
#include <string>
#include <vector>

#include "evaluation/ModelCatalog.h"

namespace syno::evaluation::layouts {

// Small models: one instance. name is resnet, vgg or mlp.
ModelLayout small(const std::string& name);

// Both instances of a real network (training first), slots filled, bindings not yet assigned.
struct Pair {
    ModelLayout training, deployment;
};
Pair network(const std::string& name, const DataShape& data);

// Gives each slot of every layout the index of the first slot of its shape (over the layouts in order)
// and writes the distinct bindings into each layout's spec.
void assignBindings(std::vector<ModelLayout*> layouts);

}  // namespace syno::evaluation::layouts
