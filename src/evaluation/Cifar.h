#pragma once
// CIFAR-10 and CIFAR-100 in their binary distributions (cifar-10-batches-bin: data_batch_1..5.bin and
// test_batch.bin, records of 1 label byte + 3072 pixel bytes; cifar-100-binary: train.bin and test.bin,
// records of a coarse and a fine label byte + 3072 pixel bytes, the fine label used). Pixels are 32x32
// per channel R, G, B, as ImageSet keeps them. Torch-free.
#include <string>

#include "evaluation/FashionMnist.h"

namespace syno::evaluation {

// classes: 10 or 100. Throws syno::Error (one line naming the file) for a missing, truncated or
// inconsistent file.
ImageData loadCifar(const std::string& dir, int classes);

}  // namespace syno::evaluation
