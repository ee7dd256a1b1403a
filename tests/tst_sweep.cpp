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
    void seedPlanAndSpread();
    void seedGroupsOfASweep();
    void aFailedRunIsToldAsFailed();

private:
    // A plan on the synthetic dataset with this schedule, batch 64, 2 threads; no budgets yet.
    SweepPlan tinyPlan(int epochs, double floatEpochs, double ticket, int finetune) const
    {
        SweepPlan plan;
        plan.base.data = data_;
        plan.base.epochs = epochs;
        plan.base.floatEpochs = floatEpochs;
        plan.base.ticketEpoch = ticket;
        plan.base.finetuneEpochs = finetune;
        plan.base.batchSize = 64;
        plan.base.threads = 2;
        return plan;
    }

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
    plan.budgets = {2};
    plan.base.scheme = "/tmp/found/scheme.json";  // a held scheme is not a sweep's point
    QVERIFY_THROWS_EXCEPTION(Error, plan.configFor(plan.runs()[0]));
    plan.budgets.clear();
    plan.uniformBits.clear();
    plan.seeds = {1, 2};  // but its seeds are
    QCOMPARE(plan.configFor(plan.runs()[1]).scheme, plan.base.scheme);
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
    std::vector<RunResult> table{
        point("a", 1.2, 80),   point("b", 2.0, 85),       point("c", 2.0, 84),  // c: b is as small
        point("d", 3.0, 84.5), point("e", 4.0, 90, true), point("f", 1.2, 80), point("float", 32, 95, false, true)};
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
    auto plan = tinyPlan(2, 0.5, 1.5, 1);
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
                           },
                           {}};
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
    std::vector<std::pair<std::string, SweepRunState>> states;  // each run's states, told as they change
    progress.state = [&](const std::string& run, SweepRunState state, const std::string& detail) {
        std::lock_guard lock(mutex);
        states.emplace_back(run, state);
        if (state == SweepRunState::Done) QVERIFY(detail.rfind("finished: quantized", 0) == 0);
    };
    results = runSweep(plan, progress, &stop);
    QCOMPARE(results.size(), size_t{2});
    for (const char* run : {"mixed-3", "uniform-4"}) {
        std::vector<SweepRunState> seen;
        for (const auto& [name, state] : states)
            if (name == run) seen.push_back(state);
        QCOMPARE(seen, (std::vector<SweepRunState>{SweepRunState::Running, SweepRunState::Done}));
    }
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

void TestSweep::seedPlanAndSpread()
{
    SweepPlan plan;
    plan.budgets = {2};
    plan.uniformBits = {3};
    plan.seeds = {1, 7};
    plan.directory = "/tmp/sweep";
    const auto runs = plan.runs();
    QCOMPARE(runs.size(), size_t{4});
    QCOMPARE(runs[1].name, std::string("mixed-2/seed-7"));
    QCOMPARE(runs[1].group, std::string("mixed-2"));
    QCOMPARE(plan.configFor(runs[1]).seed, uint64_t{7});
    QCOMPARE(plan.configFor(runs[1]).outDir, std::string("/tmp/sweep/mixed-2/seed-7"));
    QCOMPARE(plan.configFor(runs[3]).uniformBits, 3);
    QCOMPARE(plan.groups(), (std::vector<std::string>{"mixed-2", "uniform-3"}));

    // Seeds alone: the base config itself, once per seed, grouped in the sweep directory.
    plan.budgets.clear();
    plan.uniformBits.clear();
    plan.base.floatModel = true;
    const auto alone = plan.runs();
    QCOMPARE(alone.size(), size_t{2});
    QCOMPARE(alone[0].name, std::string("seed-1"));
    QVERIFY(plan.configFor(alone[0]).floatModel);
    QCOMPARE(plan.groups(), (std::vector<std::string>{""}));

    QCOMPARE(parseSeedList("1,2,3", "--seeds"), (std::vector<uint64_t>{1, 2, 3}));
    for (const char* bad : {"1,1", "1.5", "0", "x"}) QVERIFY_THROWS_EXCEPTION(Error, parseSeedList(bad, "--seeds"));
    QCOMPARE(parseUniformBits("2,3,16", "--uniform"), (std::vector<int>{2, 3, 16}));
    for (const char* bad : {"2.5", "17", "0", "x", ""})
        QVERIFY_THROWS_EXCEPTION(Error, parseUniformBits(bad, "--uniform"));

    // The sample standard deviation: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and sd sqrt(32 / 7).
    const auto s = Spread::of({2, 4, 4, 4, 5, 5, 7, 9});
    QCOMPARE(s.mean, 5.0);
    QVERIFY(std::abs(s.sd - std::sqrt(32.0 / 7.0)) < 1e-12);
    QCOMPARE(s.min, 2.0);
    QCOMPARE(s.max, 9.0);
    QCOMPARE(Spread::of({3}).sd, 0.0);
}

// A real sweep with two seeds per point: a folder per seed, each point's aggregate summary.json, the
// results.csv row with means and spreads, and the group read back through readRunResult.
void TestSweep::seedGroupsOfASweep()
{
    auto plan = tinyPlan(1, 0.25, 0.75, 0);
    plan.budgets = {3};
    plan.seeds = {1, 2};
    plan.directory = dir_.filePath(QStringLiteral("seeds")).toStdString();
    const auto results = runSweep(plan, SweepProgress{});
    QCOMPARE(results.size(), size_t{1});
    const auto& g = results[0];
    QCOMPARE(g.name, std::string("mixed-3"));
    QCOMPARE(g.seeds, 2);
    QVERIFY(g.isGroup());
    const auto one = readRunResult(plan.directory + "/mixed-3/seed-1");
    const auto two = readRunResult(plan.directory + "/mixed-3/seed-2");
    QVERIFY(!one.isGroup());
    QVERIFY2(one.testAccuracyQuantized != two.testAccuracyQuantized || one.avgBits != two.avgBits,
             "two seeds trained the same run");
    QVERIFY(std::abs(g.testAccuracyQuantized - (one.testAccuracyQuantized + two.testAccuracyQuantized) / 2) < 1e-9);
    QCOMPARE(g.testAccuracyQuantizedSpread.min, std::min(one.testAccuracyQuantized, two.testAccuracyQuantized));
    QVERIFY(std::abs(g.testAccuracyQuantizedSpread.sd -
                     std::abs(one.testAccuracyQuantized - two.testAccuracyQuantized) / std::sqrt(2.0)) < 1e-9);
    QVERIFY(std::abs(g.avgBits - (one.avgBits + two.avgBits) / 2) < 1e-9);
    QVERIFY(std::abs(g.weightKiB - (one.weightKiB + two.weightKiB) / 2) < 1e-9);
    QCOMPARE(loadConfig(plan.directory + "/mixed-3/seed-2/config.json").seed, uint64_t{2});

    // The group's summary.json, read back as one result, is the same aggregate.
    const auto back = readRunResult(plan.directory + "/mixed-3");
    QCOMPARE(back.seeds, 2);
    QCOMPARE(back.members.size(), size_t{2});
    QVERIFY(std::abs(back.testAccuracyQuantizedSpread.sd - g.testAccuracyQuantizedSpread.sd) < 1e-9);
    QCOMPARE(back.targetBits, 3.0);
    QVERIFY(!back.uniform && !back.floatModel);

    const auto csv = QString::fromStdString(io::readFile(plan.directory + "/results.csv")).split('\n');
    QVERIFY(
        csv[0].endsWith(",on_front,seeds,test_accuracy_quantized_sd,test_accuracy_quantized_min,"
                        "test_accuracy_quantized_max,test_accuracy_sd,test_accuracy_min,test_accuracy_max,"
                        "avg_bits_sd,avg_bits_min,avg_bits_max,weighted_avg_bits_sd,weighted_avg_bits_min,"
                        "weighted_avg_bits_max,mac_weighted_avg_bits,bitops"));
    QVERIFY(csv[1].startsWith("mixed-3,mixed,3,"));
    QCOMPARE(csv[1].split(',')[9], QStringLiteral("2"));
    QVERIFY2(csv[1].split(',').last().toDouble() > 0, qPrintable(csv[1]));  // the seeds' mean BitOPs

    // What each folder is, and the one reader of a folder's results (csq-train --results).
    QVERIFY(folderKind(plan.directory) == FolderKind::Sweep);
    QVERIFY(folderKind(plan.directory + "/mixed-3") == FolderKind::SeedGroup);
    QVERIFY(folderKind(plan.directory + "/mixed-3/seed-1") == FolderKind::Run);
    QVERIFY(folderKind(dir_.path().toStdString()) == FolderKind::Collection);
    const auto read = readResults(plan.directory);
    QCOMPARE(read.size(), size_t{1});
    QCOMPARE(read[0].name, std::string("mixed-3"));
    QCOMPARE(read[0].seeds, 2);
    const auto table = QString::fromStdString(resultsMarkdown(read));
    QVERIFY2(table.contains(QStringLiteral("| mixed-3 | mixed | 2 | ")) &&
                 table.contains(QString::number(g.testAccuracyQuantized, 'f', 2) + QStringLiteral(" ± ")),
             qPrintable(table));
    QVERIFY(folderKind(plan.directory + "/no-such-folder") == FolderKind::None);
    QVERIFY_THROWS_EXCEPTION(Error, readResults(plan.directory + "/no-such-folder"));

    // Runs of different points cannot form one group.
    auto other = one;
    other.targetBits = 2;
    QVERIFY_THROWS_EXCEPTION(Error, aggregateRuns({one, other}, "/tmp/g"));
}

// A run that cannot start (its dataset is missing) is told as Running, then Failed with the reason
// naming the folder; the sweep ends without its point instead of throwing.
void TestSweep::aFailedRunIsToldAsFailed()
{
    auto plan = tinyPlan(1, 0, 1, 0);
    plan.base.data = dir_.filePath(QStringLiteral("no-such-data")).toStdString();
    plan.budgets = {2};
    plan.directory = dir_.filePath(QStringLiteral("failing")).toStdString();
    std::vector<SweepRunState> seen;
    std::string reason;
    SweepProgress progress;
    progress.state = [&](const std::string& run, SweepRunState state, const std::string& detail) {
        QCOMPARE(run, std::string("mixed-2"));
        seen.push_back(state);
        if (state == SweepRunState::Failed) reason = detail;
    };
    QVERIFY(runSweep(plan, progress).empty());
    QCOMPARE(seen, (std::vector<SweepRunState>{SweepRunState::Running, SweepRunState::Failed}));
    QVERIFY2(reason.find("no-such-data") != std::string::npos, reason.c_str());
}

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
