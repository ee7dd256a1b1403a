// csq::plannedStart, what the GUI's heatmap draws before Start: the scheme a real run begins with
// (layers, sizes, kept bits, gates), held layers as the run holds them, and a clear error without data.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/errors.h"
#include "csq/planned_start.h"
#include "csq/session.h"
#include "recording_observer.h"
#include "synthetic_dataset.h"

using namespace csq;
using test::Recorder;

class TestPlannedStart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void isTheRunsFirstScheme();
    void heldSchemeIsTrainedAsGiven();

private:
    TrainingConfig tinyConfig() const;
    QTemporaryDir dir_;
    std::string data_;
};

void TestPlannedStart::initTestCase()
{
    QVERIFY(dir_.isValid());
    data_ = dir_.filePath(QStringLiteral("data")).toStdString();
    std::filesystem::create_directories(data_);
    test::writeSyntheticDataset(data_);
}

TrainingConfig TestPlannedStart::tinyConfig() const
{
    TrainingConfig c;
    c.model = "lenet5";
    c.data = data_;
    c.epochs = 2;
    c.floatEpochs = 1;  // the masks do not train in the float warm-up: the first snapshot's gates are the initial ones
    c.ticketEpoch = 2;
    c.finetuneEpochs = 0;
    c.batchSize = 64;
    c.logEvery = 4;
    c.threads = 2;
    c.outDir = dir_.filePath(QStringLiteral("run")).toStdString();
    return c;
}

// What the GUI draws before Start is the scheme the run begins with: the same layers, sizes and kept
// bits, and (the masks do not train in the float warm-up) the same gates; held layers as the run holds them.
void TestPlannedStart::isTheRunsFirstScheme()
{
    Recorder recorder;
    Session session(recorder);
    const auto config = tinyConfig();
    const auto planned = plannedStart(config);
    QCOMPARE(planned.t, 0.0);
    QVERIFY(planned.phase == Phase::Float);
    QCOMPARE(planned.beta, config.beta0);
    std::optional<Snapshot> first;
    recorder.onEverySnapshot = [&](const Snapshot& s) {
        if (first) return;
        first = s;
        session.stop();
    };
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(first && first->phase == Phase::Float);
    QCOMPARE(planned.layers.size(), first->layers.size());
    QVERIFY(!planned.layers.empty());
    for (size_t l = 0; l < planned.layers.size(); ++l) {
        const auto &p = planned.layers[l], &r = first->layers[l];
        QCOMPARE(p.name, r.name);
        QCOMPARE(p.params, r.params);
        QCOMPARE(p.maxBits, r.maxBits);
        QCOMPARE(p.kept, r.kept);
        QCOMPARE(p.searchable, r.searchable);
        QCOMPARE(planned.gates[l].size(), first->gates[l].size());
        for (size_t b = 0; b < planned.gates[l].size(); ++b)
            QVERIFY(std::abs(planned.gates[l][b] - first->gates[l][b]) < 1e-9);
    }
    QCOMPARE(planned.precision.avgBits, first->precision.avgBits);

    auto held = config;
    held.edgeLayers = EdgeLayerPolicy::MaxBits;
    const auto edges = plannedStart(held);
    QVERIFY(!edges.layers.front().searchable && !edges.layers.back().searchable && edges.layers[1].searchable);
    held.edgeLayers = EdgeLayerPolicy::Quantize;
    held.uniformBits = 3;
    for (const auto& l : plannedStart(held).layers) QCOMPARE(l.bits(), 3);
    held.data = dir_.filePath(QStringLiteral("no-such-data")).toStdString();
    QVERIFY_THROWS_EXCEPTION(csq::Error, plannedStart(held));
}

namespace {

// A scheme.json of these layers, each keeping the bits `kept(layer index)` of 8.
std::string schemeText(const std::vector<LayerScheme>& layers, const std::function<std::vector<int>(size_t)>& kept)
{
    std::ostringstream out;
    out << "{\"layers\": [";
    for (size_t i = 0; i < layers.size(); ++i) {
        out << (i ? ", " : "") << "{\"name\": \"" << layers[i].name << "\", \"max_bits\": 8, \"kept\": [";
        const auto bits = kept(i);
        for (size_t b = 0; b < bits.size(); ++b) out << (b ? ", " : "") << bits[b];
        out << "]}";
    }
    out << "]}";
    return out.str();
}

void write(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

}  // namespace

// --scheme: every layer held at the file's kept bits (contiguous or not) from the start to the end of a
// real run, outside the search; a file of another model is an error naming the layer, not a guess.
void TestPlannedStart::heldSchemeIsTrainedAsGiven()
{
    auto config = tinyConfig();
    const auto layers = plannedStart(config).layers;
    QVERIFY(layers.size() >= 3);
    const auto file = dir_.filePath(QStringLiteral("held.json")).toStdString();
    const auto mixed = [](size_t i) {
        return i % 3 == 0   ? std::vector<int>{1, 0, 1, 0, 0, 0, 0, 1}
               : i % 3 == 1 ? std::vector<int>{0, 0, 0, 0, 0, 0, 0, 1}
                            : std::vector<int>{1, 1, 1, 1, 1, 1, 1, 1};
    };
    write(file, schemeText(layers, mixed));
    config.scheme = file;
    const auto held = plannedStart(config).layers;
    QCOMPARE(held.size(), layers.size());
    for (size_t i = 0; i < held.size(); ++i) {
        const auto want = mixed(i);
        QCOMPARE(held[i].kept, std::vector<bool>(want.begin(), want.end()));
        QVERIFY(!held[i].searchable);
    }

    Recorder recorder;
    Session session(recorder);
    std::optional<Snapshot> last;
    recorder.onEverySnapshot = [&](const Snapshot& s) { last = s; };
    config.outDir = dir_.filePath(QStringLiteral("held-run")).toStdString();
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(last && last->phase != Phase::Float);
    for (size_t i = 0; i < held.size(); ++i) QCOMPARE(last->layers[i].kept, held[i].kept);
    const auto written = std::filesystem::path(config.outDir) / "scheme.json";
    config.scheme = config.outDir;  // a run folder stands for its scheme.json
    for (size_t i = 0; i < held.size(); ++i) QCOMPARE(plannedStart(config).layers[i].kept, held[i].kept);
    QVERIFY(std::filesystem::exists(written));

    auto renamed = layers;
    renamed[1].name = "no.such.layer";
    write(file, schemeText(renamed, mixed));
    config.scheme = file;
    try {
        plannedStart(config);
        QFAIL("a scheme of other layers was accepted");
    } catch (const csq::Error& e) {
        QVERIFY2(std::string(e.what()).find("no.such.layer") != std::string::npos, e.what());
    }
    write(file, schemeText(layers, [](size_t i) { return std::vector<int>(8, i == 0 ? 0 : 1); }));
    QVERIFY_THROWS_EXCEPTION(csq::Error, plannedStart(config));  // a layer keeping no bit
    config.uniformBits = 2;
    QVERIFY(!validate(config).empty());  // a held scheme or uniform bits, not both
}

QTEST_GUILESS_MAIN(TestPlannedStart)
#include "tst_planned_start.moc"
