#include "io/checkpoint.h"

#include <sstream>

#include "csq/errors.h"
#include "io/atomic_file.h"

namespace csq::io {

namespace {

// 2: scales have an optimizer of their own (ScaleAdam), and the float warm-up's end is recorded.
constexpr const char* kFormat = "csq-checkpoint-2";

torch::serialize::InputArchive openArchive(const std::string& path)
{
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const c10::Error&) {
        throw Error(path, "not a CSQ checkpoint (cannot be read as a torch archive)",
                    "choose a checkpoint.pt written by CSQ Studio or csq-train");
    }
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw Error(path, "not a CSQ checkpoint of this version", "choose a checkpoint.pt written by this CSQ Studio");
    return archive;
}

template <class T>
T readValue(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path)
{
    c10::IValue v;
    if (!archive.try_read(key, v)) throw Error(path, "checkpoint lacks '" + key + "'", "the file is damaged");
    if constexpr (std::is_same_v<T, double>)
        return v.toDouble();
    else if constexpr (std::is_same_v<T, bool>)
        return v.toBool();
    else if constexpr (std::is_same_v<T, std::string>)
        return v.toStringRef();
    else
        return static_cast<T>(v.toInt());
}

}  // namespace

void saveCheckpoint(const std::string& path, torch::nn::Module& model, const Optimizers& optimizers,
                    const CheckpointHeader& header)
{
    torch::serialize::OutputArchive archive;
    const auto& p = header.position;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("config", c10::IValue(header.configJson));
    archive.write("epoch", c10::IValue(static_cast<int64_t>(p.epoch)));
    archive.write("batch", c10::IValue(p.batch));
    archive.write("step", c10::IValue(p.step));
    archive.write("ticket_drawn", c10::IValue(p.ticketDrawn));
    archive.write("float_committed", c10::IValue(p.floatCommitted));
    archive.write("seconds", c10::IValue(p.seconds));
    archive.write("epoch_loss_sum", c10::IValue(p.epochLossSum));
    archive.write("epoch_correct", c10::IValue(p.epochCorrect));
    archive.write("epoch_seen", c10::IValue(p.epochSeen));
    torch::serialize::OutputArchive modelArchive;
    model.save(modelArchive);
    archive.write("model", modelArchive);
    archive.write("optimizers", c10::IValue(static_cast<int64_t>(optimizers.size())));
    for (size_t i = 0; i < optimizers.size(); ++i) {
        torch::serialize::OutputArchive optimizerArchive;
        optimizers[i]->save(optimizerArchive);
        archive.write("optimizer" + std::to_string(i), optimizerArchive);
    }
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomic(path, bytes.str());
}

CheckpointHeader readCheckpointHeader(const std::string& path)
{
    auto archive = openArchive(path);
    CheckpointHeader h;
    h.configJson = readValue<std::string>(archive, "config", path);
    auto& p = h.position;
    p.epoch = readValue<int>(archive, "epoch", path);
    p.batch = readValue<int64_t>(archive, "batch", path);
    p.step = readValue<int64_t>(archive, "step", path);
    p.ticketDrawn = readValue<bool>(archive, "ticket_drawn", path);
    p.floatCommitted = readValue<bool>(archive, "float_committed", path);
    p.seconds = readValue<double>(archive, "seconds", path);
    p.epochLossSum = readValue<double>(archive, "epoch_loss_sum", path);
    p.epochCorrect = readValue<double>(archive, "epoch_correct", path);
    p.epochSeen = readValue<double>(archive, "epoch_seen", path);
    return h;
}

void loadCheckpoint(const std::string& path, torch::nn::Module& model, const Optimizers& optimizers)
{
    auto archive = openArchive(path);
    if (readValue<size_t>(archive, "optimizers", path) != optimizers.size())
        throw Error(path, "the checkpoint's optimizers do not match its config", "the file is damaged");
    try {
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        model.load(modelArchive);
        for (size_t i = 0; i < optimizers.size(); ++i) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer" + std::to_string(i), optimizerArchive);
            optimizers[i]->load(optimizerArchive);
        }
    } catch (const c10::Error&) {
        throw Error(path, "the checkpoint does not match the model its config describes",
                    "the file is damaged or from another version");
    }
}

}  // namespace csq::io
