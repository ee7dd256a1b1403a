#pragma once
// The smallest whole run the session tests train: lenet5 on the synthetic dataset, one epoch each of
// float warm-up, search and finetune, a target that prunes about one bit per layer; and a temporary
// folder holding that dataset and the runs.
#include <filesystem>
#include <string>

#include <QTemporaryDir>

#include "csq/config.h"
#include "synthetic_dataset.h"

namespace csq::test {

inline TrainingConfig tinyRunConfig(const std::string& data, const std::string& outDir)
{
    TrainingConfig c;
    c.model = "lenet5";
    c.data = data;
    c.epochs = 2;  // float warm-up [0, 1), search [1, 2), then finetune [2, 3)
    c.floatEpochs = 1;
    c.finetuneEpochs = 1;
    c.ticketEpoch = 2;
    c.maskLr = 0.05;     // a few dozen batches must be enough to move the scheme
    c.targetBits = 7.0;  // a few dozen search batches prune a bit per layer, not more
    c.batchSize = 64;
    c.logEvery = 4;
    c.threads = 2;
    c.outDir = outDir;
    return c;
}

// A temporary folder with the synthetic dataset in data/ and tiny runs beside it.
class TinyRunFolder {
public:
    // Writes the dataset; false when the folder could not be made.
    bool prepare()
    {
        if (!dir_.isValid()) return false;
        data_ = path("data");
        std::filesystem::create_directories(data_);
        writeSyntheticDataset(data_);
        return true;
    }
    std::string path(const char* name) const { return dir_.filePath(QString::fromUtf8(name)).toStdString(); }
    const std::string& data() const { return data_; }
    TrainingConfig config(const char* runName) const { return tinyRunConfig(data_, path(runName)); }

private:
    QTemporaryDir dir_;
    std::string data_;
};

}  // namespace csq::test
