#include "csq/metrics_columns.h"

#include <cmath>
#include <sstream>

#include "csq/enum_names.h"

namespace csq {

namespace {

std::string real(double v)
{
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

std::string whole(int64_t v)
{
    return std::to_string(v);
}

// A number cell read into `target`, or `fallback` when the row leaves it empty.
void read(double& target, const MetricsCell& cell, double fallback = 0)
{
    target = std::isnan(cell.number) ? fallback : cell.number;
}

using S = Snapshot;
using E = EpochResult;

const std::vector<MetricsColumn> columns{
    {metrics_column::kKind, [](const S&) { return std::string("step"); }, nullptr,
     [](const E&, int64_t) { return std::string("epoch"); }, nullptr},
    {metrics_column::kStep, [](const S& s) { return whole(s.step); },
     [](S& s, const MetricsCell& c) { s.step = std::isnan(c.number) ? 0 : static_cast<int64_t>(c.number); },
     [](const E&, int64_t step) { return whole(step); }, nullptr},
    {"epoch", [](const S& s) { return whole(s.epoch); },
     [](S& s, const MetricsCell& c) { s.epoch = std::isnan(c.number) ? 0 : static_cast<int>(c.number); },
     [](const E& e, int64_t) { return whole(e.epoch); },
     [](E& e, const MetricsCell& c) { e.epoch = std::isnan(c.number) ? 0 : static_cast<int>(c.number); }},
    {metrics_column::kT, [](const S& s) { return real(s.t); }, [](S& s, const MetricsCell& c) { read(s.t, c); },
     [](const E& e, int64_t) { return whole(e.epoch + 1); }, nullptr},
    {metrics_column::kPhase, [](const S& s) { return toString(s.phase); },
     [](S& s, const MetricsCell& c) { s.phase = fromString<Phase>(c.text).value_or(Phase::Search); },
     [](const E& e, int64_t) { return toString(e.phase); },
     [](E& e, const MetricsCell& c) { e.phase = fromString<Phase>(c.text).value_or(Phase::Search); }},
    {"beta", [](const S& s) { return real(s.beta); }, [](S& s, const MetricsCell& c) { read(s.beta, c, s.beta); },
     [](const E& e, int64_t) { return real(e.beta); }, [](E& e, const MetricsCell& c) { read(e.beta, c); }},
    {"lambda", [](const S& s) { return real(s.lambda); }, [](S& s, const MetricsCell& c) { read(s.lambda, c); },
     nullptr, nullptr},
    {"target_bits", [](const S& s) { return real(s.targetBits); },
     [](S& s, const MetricsCell& c) { read(s.targetBits, c); }, [](const E& e, int64_t) { return real(e.targetBits); },
     [](E& e, const MetricsCell& c) { read(e.targetBits, c); }},
    {"delta_s", [](const S& s) { return real(s.deltaS); }, [](S& s, const MetricsCell& c) { read(s.deltaS, c); },
     nullptr, nullptr},
    {metrics_column::kAvgBits, [](const S& s) { return real(s.precision.avgBits); },
     [](S& s, const MetricsCell& c) { read(s.precision.avgBits, c); },
     [](const E& e, int64_t) { return real(e.precision.avgBits); },
     [](E& e, const MetricsCell& c) { read(e.precision.avgBits, c); }},
    {metrics_column::kWeightedAvgBits, [](const S& s) { return real(s.precision.weightedAvgBits); },
     [](S& s, const MetricsCell& c) { read(s.precision.weightedAvgBits, c); },
     [](const E& e, int64_t) { return real(e.precision.weightedAvgBits); },
     [](E& e, const MetricsCell& c) { read(e.precision.weightedAvgBits, c); }},
    // Step rows: the logged window's mean cross-entropy; epoch rows: the epoch's mean training loss.
    {metrics_column::kCe, [](const S& s) { return real(s.ce); }, [](S& s, const MetricsCell& c) { read(s.ce, c); },
     [](const E& e, int64_t) { return real(e.trainLoss); }, [](E& e, const MetricsCell& c) { read(e.trainLoss, c); }},
    {"budget_loss", [](const S& s) { return real(s.budgetLoss); },
     [](S& s, const MetricsCell& c) { read(s.budgetLoss, c); }, nullptr, nullptr},
    {"train_acc", [](const S& s) { return real(s.trainAccuracy); },
     [](S& s, const MetricsCell& c) { read(s.trainAccuracy, c); },
     [](const E& e, int64_t) { return real(e.trainAccuracy); },
     [](E& e, const MetricsCell& c) { read(e.trainAccuracy, c); }},
    {metrics_column::kTestAcc, nullptr, nullptr, [](const E& e, int64_t) { return real(e.testAccuracy); },
     [](E& e, const MetricsCell& c) { read(e.testAccuracy, c); }},
    {metrics_column::kTestAccQuantized, nullptr, nullptr,
     [](const E& e, int64_t) { return real(e.testAccuracyQuantized); },
     [](E& e, const MetricsCell& c) { read(e.testAccuracyQuantized, c, e.testAccuracy); }},
    {"val_acc", nullptr, nullptr,
     [](const E& e, int64_t) { return e.validationAccuracy >= 0 ? real(e.validationAccuracy) : std::string(); },
     [](E& e, const MetricsCell& c) { read(e.validationAccuracy, c, -1); }},
    {"lr", [](const S& s) { return real(s.lr); }, [](S& s, const MetricsCell& c) { read(s.lr, c); }, nullptr, nullptr},
    {"images_per_second", [](const S& s) { return real(s.imagesPerSecond); },
     [](S& s, const MetricsCell& c) { read(s.imagesPerSecond, c); },
     [](const E& e, int64_t) { return real(e.imagesPerSecond); },
     [](E& e, const MetricsCell& c) { read(e.imagesPerSecond, c); }},
    // Last: a run resumed from a file written before it keeps its rows, one cell short.
    {metrics_column::kMacWeightedAvgBits, [](const S& s) { return real(s.precision.macWeightedAvgBits); },
     [](S& s, const MetricsCell& c) { read(s.precision.macWeightedAvgBits, c); },
     [](const E& e, int64_t) { return real(e.precision.macWeightedAvgBits); },
     [](E& e, const MetricsCell& c) { read(e.precision.macWeightedAvgBits, c); }},
};

template <class Write>
std::string row(Write write)
{
    std::string out;
    for (size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out += ',';
        out += write(columns[i]);
    }
    return out;
}

}  // namespace

const std::vector<MetricsColumn>& metricsColumns()
{
    return columns;
}

std::string metricsHeader()
{
    return row([](const MetricsColumn& c) { return std::string(c.key); });
}

std::string metricsStepRow(const Snapshot& s)
{
    return row([&](const MetricsColumn& c) { return c.writeStep ? c.writeStep(s) : std::string(); });
}

std::string metricsEpochRow(const EpochResult& e, int64_t step)
{
    return row([&](const MetricsColumn& c) { return c.writeEpoch ? c.writeEpoch(e, step) : std::string(); });
}

Snapshot snapshotFromMetrics(const std::function<MetricsCell(const char* key)>& cell)
{
    Snapshot s;
    for (const auto& c : columns)
        if (c.readStep) c.readStep(s, cell(c.key));
    return s;
}

EpochResult epochFromMetrics(const std::function<MetricsCell(const char* key)>& cell)
{
    EpochResult e;
    // test_acc_quantized falls back to test_acc: read in file order, test_acc first.
    for (const auto& c : columns)
        if (c.readEpoch) c.readEpoch(e, cell(c.key));
    return e;
}

}  // namespace csq
