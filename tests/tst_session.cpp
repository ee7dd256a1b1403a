// Session end to end on a small dataset the test writes: every run file, consistent summary,
// --evaluate reproduces the quantized accuracy, a resumed run equals an uninterrupted one, live
// updates show in later snapshots, epoch rows name the model of their phase. Failures: see
// tst_session_failures.cpp.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include <boost/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include "csq/enum_names.h"
#include "csq/errors.h"
#include "csq/evaluate.h"
#include "csq/schedule.h"
#include "csq/session.h"
#include "io/atomic_file.h"
#include "io/run_files.h"
#include "recording_observer.h"
#include "tiny_run_config.h"
#include "train/control.h"
#include "train/trainer.h"

using namespace csq;
using test::Recorder;
namespace fs = std::filesystem;

namespace {

boost::json::object readJson(const std::string& path)
{
    return boost::json::parse(io::readFile(path)).as_object();
}

// metrics.csv rows of kind "epoch" without the timing column, for exact comparisons between runs.
// The epoch rows without their throughput, the one cell that differs between equal runs.
QStringList epochRows(const std::string& path)
{
    std::ifstream in(path);
    QStringList rows;
    std::string line;
    std::getline(in, line);
    const auto drop = QString::fromStdString(line).split(u',').indexOf(QLatin1String("images_per_second"));
    while (std::getline(in, line)) {
        if (line.rfind("epoch,", 0) != 0) continue;
        auto cells = QString::fromStdString(line).split(u',');
        if (drop >= 0 && drop < cells.size()) cells.removeAt(drop);
        rows.push_back(cells.join(u','));
    }
    return rows;
}

}  // namespace

class TestSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void runWritesEveryFile();
    void evaluateReproducesQuantizedAccuracy();
    void resumeEqualsUninterruptedRun_data();
    void resumeEqualsUninterruptedRun();
    void liveUpdateShowsInLaterSnapshots();
    void rampedTargetShowsInSnapshots();
    void liveFilesAreWrittenMidEpoch();
    void epochRowsShowTheModelOfTheirPhase();
    void ticketDueAtTheEndIsEvaluated();
    void ticketByLossInARun();
    void metricsCsvGrowsByAppends();

private:
    TrainingConfig tinyConfig(const QString& runName) const { return runs_.config(runName.toUtf8().constData()); }
    test::TinyRunFolder runs_;
    std::string firstRun_;
};

void TestSession::initTestCase()
{
    QVERIFY(runs_.prepare());
}

void TestSession::runWritesEveryFile()
{
    Recorder recorder;
    Session session(recorder);
    session.start(tinyConfig(QStringLiteral("run")));
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(recorder.finished);
    QCOMPARE(recorder.ends, 1);  // told once, after the summary
    QVERIFY(recorder.toldBeforeTheEnd);
    firstRun_ = session.runDir();
    for (const char* name :
         {"config.json", "metrics.csv", "scheme.json", "summary.json", "checkpoint.pt", "quantized.pt"})
        QVERIFY2(fs::is_regular_file(fs::path(firstRun_) / name), name);

    const auto summary = readJson(firstRun_ + "/summary.json");
    for (const char* key :
         {"model", "dataset", "max_bits", "target_bits", "budget_mode", "avg_bits", "weighted_avg_bits",
          "test_accuracy", "test_accuracy_quantized", "epochs", "seconds", "images_per_second", "layers"})
        QVERIFY2(summary.contains(key), key);
    // avg_bits and weighted_avg_bits are what the layers imply.
    double bitSum = 0, weighted = 0, params = 0;
    const auto& layers = summary.at("layers").as_array();
    QCOMPARE(layers.size(), size_t{5});
    for (const auto& l : layers) {
        const auto bits = static_cast<double>(l.at("bits").to_number<int64_t>());
        const auto n = static_cast<double>(l.at("params").to_number<int64_t>());
        int64_t kept = 0;
        for (const auto& k : l.at("kept").as_array()) kept += k.to_number<int64_t>();
        QCOMPARE(static_cast<double>(kept), bits);
        bitSum += bits;
        weighted += n * bits;
        params += n;
    }
    QCOMPARE(summary.at("avg_bits").to_number<double>(), bitSum / static_cast<double>(layers.size()));
    QVERIFY(std::abs(summary.at("weighted_avg_bits").to_number<double>() - weighted / params) < 1e-12);
    QCOMPARE(summary.at("epochs").to_number<int64_t>(), int64_t{3});
    QVERIFY(summary.at("test_accuracy_quantized").to_number<double>() > 50.0);  // learnable data: well above chance
    QCOMPARE(recorder.epochs.size(), size_t{3});
    QVERIFY(!recorder.snapshots.empty());
    QCOMPARE(epochRows(firstRun_ + "/metrics.csv").size(), qsizetype{3});
    // The time profile: each part this run had is measured, and the parts fit in the wall time (other >= 0).
    const auto& time = summary.at("time").as_object();
    for (const char* part : {"startup", "steps", "evaluation", "files", "checkpoints"})
        QVERIFY2(time.at(part).to_number<double>() > 0, part);
    for (const char* part : {"data", "snapshots", "other"}) QVERIFY2(time.at(part).to_number<double>() >= 0, part);
    QCOMPARE(time.at("ticket").to_number<double>(), 0.0);       // no measured ticket in this run
    QCOMPARE(time.at("sensitivity").to_number<double>(), 0.0);  // nor a sensitivity measurement
    QVERIFY(std::abs(time.at("steps").to_number<double>() - summary.at("seconds").to_number<double>()) < 1e-6);
}

void TestSession::evaluateReproducesQuantizedAccuracy()
{
    QVERIFY(!firstRun_.empty());
    const auto summary = readJson(firstRun_ + "/summary.json");
    const auto result = evaluateQuantizedModel(firstRun_ + "/quantized.pt", runs_.data(), 2, 2);
    QCOMPARE(result.images, int64_t{300});
    QCOMPARE(result.accuracy, summary.at("test_accuracy_quantized").to_number<double>());
    QCOMPARE(result.logits.size(), size_t{2});
    QCOMPARE(result.logits[0].size(), size_t{10});
}

void TestSession::resumeEqualsUninterruptedRun_data()
{
    QTest::addColumn<int>("stopEpoch");
    QTest::newRow("search") << 1;
    QTest::newRow("lattice finetune") << 2;  // after the ticket: the latent and kept bits come back
}

// Stop mid-epoch, resume from the checkpoint: the remaining epochs match the uninterrupted run.
void TestSession::resumeEqualsUninterruptedRun()
{
    QFETCH(int, stopEpoch);
    QVERIFY(!firstRun_.empty());
    Recorder recorder;
    Session session(recorder);
    recorder.onEverySnapshot = [&](const Snapshot& s) {
        if (s.epoch == stopEpoch && s.step % 4 == 0) session.stop();  // mid-epoch: batch-level resume
    };
    bool checkpointAtTheEnd = false;  // a stopped run is told its end once its checkpoint is saved
    recorder.onEnd = [&] { checkpointAtTheEnd = fs::is_regular_file(session.runDir() + "/checkpoint.pt"); };
    session.start(tinyConfig(QStringLiteral("interrupted-%1").arg(stopEpoch)));
    session.wait();
    QVERIFY(!recorder.finished);
    QCOMPARE(recorder.ends, 1);
    QVERIFY(checkpointAtTheEnd);
    const std::string dir = session.runDir();
    QVERIFY(fs::is_regular_file(dir + "/checkpoint.pt"));

    Recorder resumed;
    Session second(resumed);
    second.startFromCheckpoint(dir + "/checkpoint.pt");
    second.wait();
    QVERIFY2(resumed.failure.empty(), resumed.failure.c_str());
    QVERIFY(resumed.finished);
    QCOMPARE(epochRows(dir + "/metrics.csv"), epochRows(firstRun_ + "/metrics.csv"));
    const auto a = readJson(firstRun_ + "/summary.json"), b = readJson(dir + "/summary.json");
    QCOMPARE(b.at("test_accuracy_quantized").to_number<double>(), a.at("test_accuracy_quantized").to_number<double>());
    QCOMPARE(boost::json::serialize(b.at("layers")), boost::json::serialize(a.at("layers")));
}

// A GUI following the run directory sees metrics and the scheme before the first epoch ends: the
// first snapshot writes them (later ones at most every 2 s), so they exist by the second snapshot.
void TestSession::liveFilesAreWrittenMidEpoch()
{
    Recorder recorder;
    Session session(recorder);
    const auto config = tinyConfig(QStringLiteral("live"));
    const fs::path dir = config.outDir;
    int seen = 0;
    bool metricsSeen = false, schemeSeen = false, epochRowSeen = true;
    recorder.onEverySnapshot = [&](const Snapshot& s) {
        if (++seen != 2 || s.epoch != 0) return;
        metricsSeen = fs::is_regular_file(dir / "metrics.csv") &&
                      io::readFile((dir / "metrics.csv").string()).find("\nstep,") != std::string::npos;
        schemeSeen = fs::is_regular_file(dir / "scheme.json");
        epochRowSeen = fs::is_regular_file(dir / "metrics.csv") &&
                       io::readFile((dir / "metrics.csv").string()).find("\nepoch,") != std::string::npos;
        session.stop();
    };
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QCOMPARE(seen >= 2, true);
    QVERIFY(metricsSeen);
    QVERIFY(schemeSeen);
    QVERIFY(!epochRowSeen);  // still inside the first epoch
}

// Each epoch is evaluated before the phase change at its end: the float row shows the float model
// (its weights not yet written into bits), the search row the searched scheme before the ticket. The
// trainer's state at each epoch row says which model was evaluated; metrics.csv and the snapshots
// name the same phases (a snapshot after the last batch of a phase still names that phase).
void TestSession::epochRowsShowTheModelOfTheirPhase()
{
    Recorder recorder;
    const auto config = tinyConfig(QStringLiteral("phases"));
    train::Trainer trainer(config, recorder);
    struct Row {
        Phase phase;
        bool floatCommitted, ticketDrawn;
    };
    std::vector<Row> rows;
    recorder.onEveryEpoch = [&](const EpochResult& e) {
        rows.push_back({e.phase, trainer.position().floatCommitted, trainer.position().ticketDrawn});
    };
    train::Control control;
    trainer.run(control);
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QCOMPARE(rows.size(), size_t{3});
    QCOMPARE(toString(rows[0].phase), std::string("float"));
    QVERIFY2(!rows[0].floatCommitted, "the float row evaluated the bits written from the float weights");
    QCOMPARE(toString(rows[1].phase), std::string("search"));
    QVERIFY(rows[1].floatCommitted);
    QVERIFY2(!rows[1].ticketDrawn, "the search row evaluated the model after the ticket");
    QCOMPARE(toString(rows[2].phase), std::string("finetune"));
    QVERIFY(rows[2].ticketDrawn);

    QStringList phases;
    for (const auto& row : epochRows(config.outDir + "/metrics.csv")) phases << row.split(u',').at(4);
    QCOMPARE(phases, (QStringList{QStringLiteral("float"), QStringLiteral("search"), QStringLiteral("finetune")}));
    for (const auto& s : recorder.snapshots) {
        const Phase expected = s.t <= 1.0 ? Phase::Float : s.t <= 2.0 ? Phase::Search : Phase::Finetune;
        QVERIFY2(
            s.phase == expected,
            qPrintable(
                QStringLiteral("snapshot at t = %1 names %2").arg(s.t).arg(QString::fromStdString(toString(s.phase)))));
    }
}

// A ticket due at t = epochs with no finetune epochs comes after the last (search) row; the summary
// and the run files describe the frozen model, evaluated after the ticket.
void TestSession::ticketDueAtTheEndIsEvaluated()
{
    Recorder recorder;
    auto config = tinyConfig(QStringLiteral("ticket-at-end"));
    config.finetuneEpochs = 0;
    train::Trainer trainer(config, recorder);
    bool drawnAtLastRow = true;
    recorder.onEveryEpoch = [&](const EpochResult&) { drawnAtLastRow = trainer.position().ticketDrawn; };
    train::Control control;
    trainer.run(control);
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(recorder.finished);
    QCOMPARE(recorder.epochs.size(), size_t{2});
    QCOMPARE(toString(recorder.epochs.back().phase), std::string("search"));
    QVERIFY(!drawnAtLastRow);
    QVERIFY(trainer.position().ticketDrawn);
    QVERIFY(std::any_of(recorder.logs.begin(), recorder.logs.end(),
                        [](const std::string& l) { return l.rfind("ticket drawn at the end of the run", 0) == 0; }));
    // The exported integer model reproduces the summary's exact accuracy: it is the frozen model's.
    const auto evaluated = evaluateQuantizedModel(config.outDir + "/quantized.pt", runs_.data(), 0, 2);
    QCOMPARE(evaluated.accuracy, recorder.summary.testAccuracyQuantized);
}

// ticket_by_loss in a whole run: the ticket is drawn by measurement, meets the size-weighted budget,
// and the finetuned model is the exported integer model.
void TestSession::ticketByLossInARun()
{
    Recorder recorder;
    auto config = tinyConfig(QStringLiteral("ticket-by-loss"));
    config.ticketByLoss = true;
    config.budgetMode = BudgetMode::Size;
    config.targetBits = 3.0;
    train::Trainer trainer(config, recorder);
    train::Control control;
    trainer.run(control);
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(recorder.finished);
    QVERIFY(std::any_of(recorder.logs.begin(), recorder.logs.end(),
                        [](const std::string& l) { return l.rfind("ticket by measured loss", 0) == 0; }));
    const double bits = recorder.summary.precision.measure(BudgetMode::Size);
    QVERIFY2(bits <= 3.0 + 1e-9 && bits > 2.0, qPrintable(QString::number(bits)));
    const auto costs = io::readFile(config.outDir + "/ticket_costs.csv");
    QVERIFY2(costs.rfind("layer,params,bits,loss_added,kept,accuracy_drop\n", 0) == 0, costs.c_str());
    QCOMPARE(std::count(costs.begin(), costs.end(), '\n'), std::ptrdiff_t{1 + 5 * 5});  // 5 layers x 1..5 bits
    QCOMPARE(recorder.summary.testAccuracyQuantized, recorder.summary.testAccuracy);    // on the lattice: exact
    QVERIFY(recorder.summary.time.ticket > 0);  // its passes timed as their own part
    QVERIFY(recorder.summary.time.other() >= 0);
    const auto evaluated = evaluateQuantizedModel(config.outDir + "/quantized.pt", runs_.data(), 0, 2);
    QCOMPARE(evaluated.accuracy, recorder.summary.testAccuracyQuantized);
}

void TestSession::liveUpdateShowsInLaterSnapshots()
{
    Recorder recorder;
    Session session(recorder);
    auto config = tinyConfig(QStringLiteral("live"));
    config.logEvery = 1;
    config.epochs = 1;
    config.floatEpochs = 0;
    config.finetuneEpochs = 0;
    config.ticketEpoch = 1;
    config.budgetRamp = 0;  // snapshots carry the target itself, before and after the patch
    int64_t patchedAt = -1;
    recorder.onEverySnapshot = [&](const Snapshot& s) {
        if (patchedAt < 0 && s.step == 3) {
            ConfigPatch patch;
            patch.set("target_bits", 5.5);
            patch.set("lambda", 0.25);
            session.update(patch);
            patchedAt = s.step;
        }
    };
    session.start(config);
    session.wait();
    QVERIFY(patchedAt > 0);
    bool sawNew = false;
    for (const auto& s : recorder.snapshots) {
        if (s.step <= patchedAt) QCOMPARE(s.targetBits, 7.0);
        if (s.step > patchedAt + 1) {  // applied at the next batch boundary
            QCOMPARE(s.targetBits, 5.5);
            QCOMPARE(s.lambda, 0.25);
            sawNew = true;
        }
    }
    QVERIFY(sawNew);
    QCOMPARE(session.config().targetBits, 5.5);
    ConfigPatch bad;
    bad.set("target_bits", 20.0);
    QVERIFY_THROWS_EXCEPTION(Error, session.update(bad));
}

// With a budget ramp the snapshots carry the target the budget term aims at, falling from max bits,
// and Δ_S is measured against it; before the search they show the run's target.
void TestSession::rampedTargetShowsInSnapshots()
{
    Recorder recorder;
    Session session(recorder);
    auto config = tinyConfig(QStringLiteral("ramp"));
    config.logEvery = 2;
    config.budgetRamp = 1;  // the whole search [1, 2)
    config.finetuneEpochs = 0;
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    int ramped = 0;
    for (const auto& s : recorder.snapshots) {
        const double expected = s.t >= config.floatEpochs ? budgetTargetAt(config, s.t) : config.targetBits;
        QVERIFY2(std::abs(s.targetBits - expected) < 1e-9, qPrintable(QString("t %1: %2").arg(s.t).arg(s.targetBits)));
        QVERIFY(std::abs(s.deltaS - (s.precision.measure(config.budgetMode) - s.targetBits)) < 1e-9);
        if (s.t > config.floatEpochs && s.t < config.ticketEpoch && s.targetBits > config.targetBits + 0.1) ++ramped;
    }
    QVERIFY2(ramped >= 3, qPrintable(QString::number(ramped)));
}

// metrics.csv is written whole once, then grows by appends in place (a follower reads only the new
// rows); a file changed behind the log's back is rewritten whole; a resume drops a torn last line
// and the rows after its step.
void TestSession::metricsCsvGrowsByAppends()
{
    const auto path = runs_.path("appended-metrics.csv");
    auto inode = [&] {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 ? info.st_ino : ino_t{0};
    };
    auto snapshot = [](int64_t step) {
        Snapshot s;
        s.step = step;
        s.t = 0.01 * static_cast<double>(step);
        return s;
    };
    io::MetricsLog log;
    log.addStep(snapshot(10));
    log.write(path);
    const auto first = io::readFile(path);
    const auto firstInode = inode();
    QCOMPARE(first.rfind(io::MetricsLog::header(), 0), size_t{0});
    log.addStep(snapshot(20));
    log.addStep(snapshot(30));
    log.write(path);
    const auto grown = io::readFile(path);
    QCOMPARE(grown.substr(0, first.size()), first);
    QCOMPARE(std::count(grown.begin(), grown.end(), '\n'), 4);
    QCOMPARE(inode(), firstInode);  // appended in place, not replaced

    std::ofstream(path, std::ios::app) << "step,40";  // not the log's: a torn row
    log.addStep(snapshot(50));
    log.write(path);
    const auto rewritten = io::readFile(path);
    QVERIFY(rewritten.find("step,40\n") == std::string::npos && rewritten.find("step,40,") == std::string::npos);
    QCOMPARE(std::count(rewritten.begin(), rewritten.end(), '\n'), 5);

    std::ofstream(path, std::ios::app) << "step,60,0,0.6";  // a crash mid-append
    io::MetricsLog resumed;
    resumed.loadExisting(path, 30);
    QCOMPARE(resumed.rows(), size_t{2});  // steps 10 and 20; 30 is redone, 50 and the torn row dropped
    resumed.write(path);
    QCOMPARE(io::readFile(path), grown.substr(0, grown.rfind("step,30")));
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
