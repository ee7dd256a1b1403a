// A session that fails tells why and loses nothing: divergence stops (keeping the last good
// checkpoint) or rolls back, a missing dataset, an invalid config, a disk that fills up mid-run and an
// unwritable folder each arrive as a reason naming the file or field and what to do.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>

#include <sys/resource.h>

#include <QtTest>

#include "csq/errors.h"
#include "csq/session.h"
#include "io/atomic_file.h"
#include "recording_observer.h"
#include "tiny_run_config.h"

using namespace csq;
using test::Recorder;
namespace fs = std::filesystem;

class TestSessionFailures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void failuresArriveAsReasons();
    void divergenceStopsAndKeepsTheCheckpoint();
    void divergenceRollsBack();
    void invalidConfigIsRejectedAtStart();
    void fullDiskKeepsThePreviousFiles();
    void unwritableOutputIsAReason();
    void finishedRunIsNotResumed();

private:
    TrainingConfig tinyConfig(const QString& runName) const { return runs_.config(runName.toUtf8().constData()); }
    test::TinyRunFolder runs_;
};

void TestSessionFailures::initTestCase()
{
    QVERIFY(runs_.prepare());
}

namespace {

// Sets an absurd learning rate at the first snapshot of the second epoch, once: by then the first
// epoch's checkpoint exists, and the next steps overflow the weights.
void blowUpInSecondEpoch(Recorder& recorder, Session& session, std::string& checkpointBefore)
{
    recorder.onEverySnapshot = [&recorder, &session, &checkpointBefore](const Snapshot& s) {
        if (s.epoch == 1 && checkpointBefore.empty()) {
            checkpointBefore = io::readFile(session.runDir() + "/checkpoint.pt");
            ConfigPatch patch;
            patch.set("lr", 1e38);
            session.update(patch);
        }
    };
}

}  // namespace

void TestSessionFailures::divergenceStopsAndKeepsTheCheckpoint()
{
    Recorder recorder;
    Session session(recorder);
    std::string before;
    blowUpInSecondEpoch(recorder, session, before);
    session.start(tinyConfig(QStringLiteral("diverge-stop")));
    session.wait();
    QVERIFY(!before.empty());
    QVERIFY(!recorder.finished);
    QVERIFY2(recorder.failure.find("diverged at epoch 2") != std::string::npos, recorder.failure.c_str());
    QVERIFY2(recorder.failure.find("on_divergence") != std::string::npos, recorder.failure.c_str());
    // The good checkpoint is untouched and still resumes.
    QVERIFY(io::readFile(session.runDir() + "/checkpoint.pt") == before);
    for (const auto& s : recorder.snapshots) QVERIFY(std::isfinite(s.ce));  // the NaN snapshot never went out
}

void TestSessionFailures::divergenceRollsBack()
{
    Recorder recorder;
    Session session(recorder);
    std::string before;
    blowUpInSecondEpoch(recorder, session, before);
    auto config = tinyConfig(QStringLiteral("diverge-rollback"));
    config.onDivergence = DivergencePolicy::Rollback;
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(recorder.finished);
    QVERIFY(std::any_of(recorder.logs.begin(), recorder.logs.end(),
                        [](const auto& l) { return l.find("rolling back") != std::string::npos; }));
    QCOMPARE(session.config().lr, config.lr * 0.5);
    QVERIFY(std::isfinite(recorder.summary.testAccuracyQuantized) && recorder.summary.testAccuracyQuantized > 0);
    QVERIFY(io::readFile(session.runDir() + "/metrics.csv").find("nan") == std::string::npos);
}

void TestSessionFailures::failuresArriveAsReasons()
{
    Recorder recorder;
    Session session(recorder);
    auto config = tinyConfig(QStringLiteral("missing"));
    config.data = runs_.path("no-such-dataset");
    bool runningAtTheEnd = true;
    recorder.onEnd = [&] { runningAtTheEnd = session.running(); };
    session.start(config);
    session.wait();
    QVERIFY(!recorder.finished);
    QVERIFY2(recorder.failure.find("no-such-dataset") != std::string::npos, recorder.failure.c_str());
    QVERIFY(!session.running());
    // The end is told once, after the reason, with the session no longer running.
    QCOMPARE(recorder.ends, 1);
    QVERIFY(recorder.toldBeforeTheEnd);
    QVERIFY(!runningAtTheEnd);
}

// Resuming the checkpoint of a run that finished would end at once with empty figures: it is refused,
// and the finished run's summary stays as it was.
void TestSessionFailures::finishedRunIsNotResumed()
{
    const auto config = tinyConfig(QStringLiteral("finished"));
    {
        Recorder recorder;
        Session session(recorder);
        session.start(config);
        session.wait();
        QVERIFY(recorder.finished);
    }
    const auto summary = io::readFile(config.outDir + "/summary.json");
    Recorder recorder;
    Session session(recorder);
    session.startFromCheckpoint(config.outDir + "/checkpoint.pt");
    session.wait();
    QVERIFY(!recorder.finished);
    QVERIFY2(recorder.failure.find("finished") != std::string::npos &&
                 recorder.failure.find("checkpoint.pt") != std::string::npos,
             recorder.failure.c_str());
    QCOMPARE(io::readFile(config.outDir + "/summary.json"), summary);
}

void TestSessionFailures::invalidConfigIsRejectedAtStart()
{
    Recorder recorder;
    Session session(recorder);
    auto config = tinyConfig(QStringLiteral("invalid"));
    config.ticketEpoch = 10;
    QVERIFY_THROWS_EXCEPTION(Error, session.start(config));
    QVERIFY(!session.running());
    QVERIFY_THROWS_EXCEPTION(Error, session.exportScheme(runs_.path("x.json")));
}

// A disk that fills up mid-run (simulated with a file-size limit: writes past it fail with EFBIG, as
// with ENOSPC) fails the run with the file and what to do, and every file of the earlier run in the
// same folder stays byte for byte as it was.
void TestSessionFailures::fullDiskKeepsThePreviousFiles()
{
    auto config = tinyConfig(QStringLiteral("full"));
    config.epochs = 1;
    config.floatEpochs = 0.5;
    config.ticketEpoch = 1;
    config.finetuneEpochs = 0;
    {
        Recorder recorder;
        Session session(recorder);
        session.start(config);
        session.wait();
        QVERIFY2(recorder.finished, recorder.failure.c_str());
    }
    std::map<std::string, std::string> before;
    for (const auto& entry : fs::directory_iterator(config.outDir))
        before[entry.path().filename().string()] = io::readFile(entry.path().string());
    QVERIFY(before.count("checkpoint.pt") && before.at("checkpoint.pt").size() > 100'000);

    Recorder recorder;
    {
        struct rlimit saved {};
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
        auto* previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = saved;
        small.rlim_cur = 64 * 1024;  // config.json fits, a checkpoint does not
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        Session session(recorder);
        session.start(config);
        session.wait();
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previous);
    }
    QVERIFY(!recorder.finished);
    QVERIFY2(recorder.failure.find("checkpoint.pt: write failed") != std::string::npos, recorder.failure.c_str());
    QVERIFY2(recorder.failure.find("the previous file is unchanged") != std::string::npos, recorder.failure.c_str());
    for (const auto& [name, bytes] : before) {
        const auto now = io::readFile((fs::path(config.outDir) / name).string());
        if (name == "metrics.csv" || name == "scheme.json") {
            // The new run's live progress (written mid-epoch for a following GUI) replaced these; they
            // are small and must be whole, never cut by the full disk.
            QVERIFY2(name == "scheme.json" ? now.back() == '}' : now.rfind("kind,step,", 0) == 0 && now.back() == '\n',
                     name.c_str());
            continue;
        }
        QVERIFY2(now == bytes, name.c_str());
    }
    for (const auto& entry : fs::directory_iterator(config.outDir))  // no temporary left behind
        QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().c_str());
}

void TestSessionFailures::unwritableOutputIsAReason()
{
    Recorder recorder;
    Session session(recorder);
    auto config = tinyConfig(QStringLiteral("unused"));
    config.outDir = "/dev/full";
    session.start(config);
    session.wait();
    QVERIFY(!recorder.finished);
    QVERIFY2(recorder.failure.find("/dev/full") != std::string::npos &&
                 recorder.failure.find("choose a writable folder") != std::string::npos,
             recorder.failure.c_str());
}

QTEST_GUILESS_MAIN(TestSessionFailures)
#include "tst_session_failures.moc"
