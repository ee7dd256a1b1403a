#pragma once
// Evaluates an exported integer model (quantized.pt) on a dataset's test split, as csq-train
// --evaluate does: the check that the export reproduces the accuracy the run reported.
#include <cstdint>
#include <string>
#include <vector>

namespace csq {

struct Evaluation {
    double accuracy = 0;  // percent
    int64_t images = 0;
    std::string model, dataset;
    std::vector<std::vector<float>> logits;  // the first `logitRows` test images
};

// dataPath "" uses the dataset named in the model's config. Throws csq::Error on bad files.
Evaluation evaluateQuantizedModel(const std::string& quantizedPath, const std::string& dataPath = {}, int logitRows = 0,
                                  int threads = 0);

}  // namespace csq
