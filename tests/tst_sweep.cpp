// Sweeps: the plan's runs and configs, the Pareto front on a table, and a real tiny sweep: its
// directory layout, and an interrupted sweep that the same call resumes (finished runs skipped, the
// stopped one continued from its checkpoint).
#include <atomic>
#include <filesystem>
#include <mutex>

#include <QtTest>

#include "csq/errors.h"
#include "csq/sweep.h"
#include "io/atomic_file.h"
#include "synthetic_dataset.h"

using namespace csq;
namespace fs = std::filesystem;

namespace {

RunResult point(const char* name, double bits, double accuracy, bool uniform = false, bool floatModel = false)
{
    RunResult r;
    r.name = name;
    r.weightedAvgBits = bits;
    r.testAccuracyQuantized = accuracy;
    r.uniform = uniform;
    r.floatModel = floatModel;
    return r;
}

}  // namespace

class TestSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void planNamesAndConfigs();
    void numberListErrors();
    void paretoFrontOnATable();
    void layoutAndResume();

private:
    QTemporaryDir dir_;
    std::string data_;
};

void TestSweep::initTestCase()
{
    QVERIFY(dir_.isValid());
    data_ = dir_.filePath(QStringLiteral("data")).toStdString();
    fs::create_directories(data_);
    test::writeSyntheticDataset(data_);
}

void TestSweep::planNamesAndConfigs()
{
    SweepPlan plan;
    plan.base.threads = 4;
    plan.budgets = {1.5, 3};
    plan.uniformBits = {2};
    plan.directory = "/tmp/sweep";
    plan.parallel = 2;
    const auto runs = plan.runs();
    QCOMPARE(runs.size(), size_t{3});
    QCOMPARE(runs[0].name, std::string("mixed-1.5"));
    QCOMPARE(runs[2].name, std::string("uniform-2"));
    const auto mixed = plan.configFor(runs[0]);
    QCOMPARE(mixed.targetBits, 1.5);
    QCOMPARE(mixed.uniformBits, 0);
    QCOMPARE(mixed.outDir, std::string("/tmp/sweep/mixed-1.5"));
    QCOMPARE(mixed.threads, 2);  // 4 threads shared by 2 runs side by side
    QCOMPARE(plan.configFor(runs[2]).uniformBits, 2);
    plan.budgets = {20};  // above max bits: the config's own message
    QVERIFY_THROWS_EXCEPTION(Error, plan.configFor(plan.runs()[0]));
}

void TestSweep::numberListErrors()
{
    QCOMPARE(parseNumberList("1.5,2,3", "--sweep"), (std::vector<double>{1.5, 2, 3}));
    for (const char* bad : {"", "1,,2", "2,x", "-1", "1.5bits"}) {
        try {
            parseNumberList(bad, "--sweep");
            QFAIL(bad);
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith("--sweep:"), e.what());
        }
    }
}

void TestSweep::paretoFrontOnATable()
{
    std::vector<RunResult> table{point("a", 1.2, 80), point("b", 2.0, 85), point("c", 2.0, 84),  // c: b is as small
                                 point("d", 3.0, 84.5), point("e", 4.0, 90, true), point("f", 1.2, 80),
                                 point("float", 32, 95, false, true)};
    markParetoFront(table);
    QStringList front;
    for (const auto& r : table)
        if (r.onFront) front << QString::fromStdString(r.name);
    QCOMPARE(front, (QStringList{"a", "b", "e", "f"}));  // equal points do not dominate each other
    const auto csv = QString::fromStdString(resultsCsv(table));
    QVERIFY(csv.startsWith("name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,test_accuracy,"));
    QVERIFY(csv.contains("\ne,uniform,"));
    QVERIFY(csv.contains("\nfloat,float,"));
    QCOMPARE(csv.count('\n'), 8);
}

void TestSweep::layoutAndResume()
{
    SweepPlan plan;
    plan.base.data = data_;
    plan.base.epochs = 2;
    plan.base.floatEpochs = 0.5;
    plan.base.ticketEpoch = 1.5;
    plan.base.finetuneEpochs = 1;
    plan.base.batchSize = 64;
    plan.base.threads = 2;
    plan.budgets = {3};
    plan.uniformBits = {4};
    plan.directory = dir_.filePath(QStringLiteral("sweep")).toStdString();

    // Stopped during the first run's second epoch: its checkpoint is there, the second run never began.
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::string> lines;
    SweepProgress progress{[&](const std::string& run, const std::string& line) {
        std::lock_guard lock(mutex);
        lines.push_back(run + ": " + line);
        if (run == "mixed-3" && line.rfind("epoch 1 done", 0) == 0) stop = true;
    }};
    auto results = runSweep(plan, progress, &stop);
    QVERIFY(results.empty());
    QVERIFY(fs::exists(fs::path(plan.directory) / "sweep.json"));
    QVERIFY(fs::exists(fs::path(plan.directory) / "mixed-3" / "checkpoint.pt"));
    QVERIFY(!fs::exists(fs::path(plan.directory) / "mixed-3" / "summary.json"));
    QVERIFY(!fs::exists(fs::path(plan.directory) / "uniform-4"));

    // The same call again resumes it.
    stop = false;
    lines.clear();
    progress.log = [&](const std::string& run, const std::string& line) {
        std::lock_guard lock(mutex);
        lines.push_back(run + ": " + line);
    };
    results = runSweep(plan, progress, &stop);
    QCOMPARE(results.size(), size_t{2});
    QVERIFY(std::find(lines.begin(), lines.end(), "mixed-3: resuming from its checkpoint") != lines.end());
    for (const char* file : {"sweep.json", "results.csv", "mixed-3/summary.json", "mixed-3/quantized.pt",
                             "uniform-4/summary.json", "uniform-4/config.json"})
        QVERIFY2(fs::exists(fs::path(plan.directory) / file), file);
    QCOMPARE(results[0].name, std::string("mixed-3"));
    QVERIFY(!results[0].uniform);
    QCOMPARE(results[1].name, std::string("uniform-4"));
    QVERIFY(results[1].uniform);
    QCOMPARE(results[1].avgBits, 4.0);
    QVERIFY(results[1].weightKiB > 0 && results[0].weightKiB > 0);
    const auto csv = io::readFile(plan.directory + "/results.csv");
    QCOMPARE(QString::fromStdString(csv).count('\n'), 3);

    // A third call finds everything done and trains nothing.
    lines.clear();
    QCOMPARE(runSweep(plan, progress, &stop).size(), size_t{2});
    QVERIFY(lines.empty());
}

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
