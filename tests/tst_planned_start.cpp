// csq::plannedStart, what the GUI's heatmap draws before Start: the scheme a real run begins with
// (layers, sizes, kept bits, gates), held layers as the run holds them, and a clear error without data.
#include <cmath>
#include <filesystem>
#include <optional>

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
        for (size_t b = 0; b < planned.gates[l].size(); ++b) QVERIFY(std::abs(planned.gates[l][b] - first->gates[l][b]) < 1e-9);
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

QTEST_GUILESS_MAIN(TestPlannedStart)
#include "tst_planned_start.moc"
