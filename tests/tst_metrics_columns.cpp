// metrics.csv's column table: the header is the documented contract, and a step row and an epoch row
// written from a snapshot and an epoch's result read back into the same values through the same
// table (what follow mode replays); phase names go both ways.
#include <cmath>
#include <map>
#include <sstream>

#include <QtTest>

#include "csq/enum_names.h"
#include "csq/metrics_columns.h"

using namespace csq;

class TestMetricsColumns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void headerIsTheContract();
    void stepRowsReadBack();
    void epochRowsReadBack();
    void phasesGoBothWays();
};

namespace {

std::vector<std::string> split(const std::string& line)
{
    std::vector<std::string> cells;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

// The row's cells by the header's names, as a reader holds them.
std::function<MetricsCell(const char*)> cells(const std::string& row)
{
    const auto names = split(metricsHeader()), values = split(row);
    std::map<std::string, MetricsCell> byName;
    for (size_t i = 0; i < names.size(); ++i) {
        MetricsCell c;
        const auto& v = i < values.size() ? values[i] : std::string();
        char* end = nullptr;
        const double number = v.empty() ? std::nan("") : std::strtod(v.c_str(), &end);
        if (!v.empty() && end && *end == '\0')
            c.number = number;
        else
            c.text = v;
        byName[names[i]] = c;
    }
    return [byName](const char* key) { return byName.at(key); };
}

}  // namespace

void TestMetricsColumns::headerIsTheContract()
{
    QCOMPARE(
        QString::fromStdString(metricsHeader()),
        QStringLiteral(
            "kind,step,epoch,t,phase,beta,lambda,target_bits,delta_s,avg_bits,weighted_avg_bits,ce,"
            "budget_loss,train_acc,test_acc,test_acc_quantized,val_acc,lr,images_per_second,mac_weighted_avg_bits"));
    QCOMPARE(split(metricsStepRow({})).size(), metricsColumns().size());
    QCOMPARE(split(metricsEpochRow({}, 0)).size(), metricsColumns().size());
}

void TestMetricsColumns::stepRowsReadBack()
{
    Snapshot s;
    s.step = 1234;
    s.epoch = 3;
    s.t = 3.25;
    s.phase = Phase::Ticket;
    s.beta = 81.5;
    s.lambda = 0.05;
    s.targetBits = 2.5;
    s.deltaS = -0.125;
    s.precision = {3.5, 2.75};
    s.ce = 0.4321;
    s.budgetLoss = 0.01;
    s.trainAccuracy = 88.5;
    s.lr = 0.0375;
    s.imagesPerSecond = 2345.5;
    const auto row = metricsStepRow(s);
    QVERIFY(row.rfind("step,1234,3,3.25,ticket,", 0) == 0);
    const auto back = snapshotFromMetrics(cells(row));
    QCOMPARE(back.step, s.step);
    QCOMPARE(back.epoch, s.epoch);
    QCOMPARE(back.t, s.t);
    QVERIFY(back.phase == s.phase);
    for (auto [a, b] : {std::pair{back.beta, s.beta},
                        {back.lambda, s.lambda},
                        {back.targetBits, s.targetBits},
                        {back.deltaS, s.deltaS},
                        {back.precision.avgBits, s.precision.avgBits},
                        {back.precision.weightedAvgBits, s.precision.weightedAvgBits},
                        {back.ce, s.ce},
                        {back.budgetLoss, s.budgetLoss},
                        {back.trainAccuracy, s.trainAccuracy},
                        {back.lr, s.lr},
                        {back.imagesPerSecond, s.imagesPerSecond}})
        QCOMPARE(a, b);
}

void TestMetricsColumns::epochRowsReadBack()
{
    EpochResult e;
    e.epoch = 4;
    e.phase = Phase::Finetune;
    e.trainLoss = 0.3;
    e.trainAccuracy = 90.25;
    e.testAccuracy = 89.5;
    e.testAccuracyQuantized = 89.25;
    e.precision = {2.0, 1.875};
    e.beta = 200;
    e.targetBits = 2;
    e.imagesPerSecond = 1500;
    const auto row = metricsEpochRow(e, 999);
    QVERIFY(row.rfind("epoch,999,4,5,finetune,", 0) == 0);
    auto back = epochFromMetrics(cells(row));
    QCOMPARE(back.epoch, e.epoch);
    QVERIFY(back.phase == e.phase);
    QCOMPARE(back.trainLoss, e.trainLoss);
    QCOMPARE(back.testAccuracyQuantized, e.testAccuracyQuantized);
    QCOMPARE(back.validationAccuracy, -1.0);  // no split: an empty cell, read back as none
    e.validationAccuracy = 87.5;
    QCOMPARE(epochFromMetrics(cells(metricsEpochRow(e, 999))).validationAccuracy, 87.5);
}

void TestMetricsColumns::phasesGoBothWays()
{
    for (auto phase : {Phase::Float, Phase::Search, Phase::Ticket, Phase::Finetune, Phase::Done})
        QVERIFY(fromString<Phase>(toString(phase)) == phase);
    QVERIFY(!fromString<Phase>("warm-up").has_value());
}

QTEST_GUILESS_MAIN(TestMetricsColumns)
#include "tst_metrics_columns.moc"
