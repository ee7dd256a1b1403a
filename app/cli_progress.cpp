#include "cli_progress.h"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <string>

#include "csq/enum_names.h"

namespace csq::cli {

namespace {

std::string clock(double seconds)
{
    const auto s = std::lround(seconds);
    char out[32];
    if (s >= 3600)
        std::snprintf(out, sizeof out, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(out, sizeof out, "%ld:%02ld", s / 60, s % 60);
    return out;
}

}  // namespace

void ProgressPrinter::endLine()
{
    if (lineOpen_) std::fputc('\n', stdout);
    lineOpen_ = false;
}

void ProgressPrinter::onSnapshot(const Snapshot& s)
{
    if (freezeAtStep_ > 0 && s.step >= freezeAtStep_) {
        freezeAtStep_ = 0;
        std::fflush(stdout);
        std::raise(SIGSTOP);  // the whole process, training thread included, until SIGCONT or SIGKILL
    }
    std::lock_guard lock(mutex_);
    if (quiet_) return;
    if (s.totalEpochs > 0) totalEpochs_ = s.totalEpochs;  // a resumed run brings its own
    const auto now = std::chrono::steady_clock::now();
    if (!terminal_ && now - lastPlain_ < std::chrono::seconds(10)) return;  // logs: a line every 10 s
    lastPlain_ = now;
    const double fraction = s.totalSteps > 0 ? static_cast<double>(s.step) / static_cast<double>(s.totalSteps) : 0;
    const int width = 20, filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::printf("%sepoch %d/%d [%s] %s β=%.3g bits %.2f/%.2f loss %.4f acc %.1f%% %.0f img/s ETA %s%s",
                terminal_ ? "\r\033[K" : "", s.epoch + 1, totalEpochs_, bar.c_str(), toString(s.phase).c_str(), s.beta,
                s.precision.measure(s.budgetMode), s.targetBits, s.ce + s.budgetLoss, s.trainAccuracy,
                s.imagesPerSecond, clock(s.etaSeconds).c_str(), terminal_ ? "" : "\n");
    lineOpen_ = terminal_;
    std::fflush(stdout);
}

void ProgressPrinter::onEpoch(const EpochResult& e)
{
    std::lock_guard lock(mutex_);
    if (quiet_) return;
    endLine();
    std::printf(
        "epoch %d/%d done (%s): loss %.4f train %.2f%% test %.2f%% quantized %.2f%% bits %.3f (size-weighted "
        "%.3f) %.1f s\n",
        e.epoch + 1, totalEpochs_, toString(e.phase).c_str(), e.trainLoss, e.trainAccuracy, e.testAccuracy,
        e.testAccuracyQuantized, e.precision.avgBits, e.precision.weightedAvgBits, e.seconds);
    std::fflush(stdout);
}

void ProgressPrinter::onLog(const std::string& line)
{
    std::lock_guard lock(mutex_);
    endLine();
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void ProgressPrinter::onFinished(const RunSummary& s)
{
    std::lock_guard lock(mutex_);
    finished_ = true;
    if (quiet_) return;
    endLine();
    std::printf(
        "finished: %s on %s, bits %.3f (size-weighted %.3f, target %.2f %s), test %.2f%%, quantized %.2f%%, "
        "%.0f s, %.0f img/s\nrun files: %s\n",
        s.model.c_str(), s.dataset.c_str(), s.precision.avgBits, s.precision.weightedAvgBits, s.targetBits,
        s.budgetMode.c_str(), s.testAccuracy, s.testAccuracyQuantized, s.seconds, s.imagesPerSecond, s.runDir.c_str());
    if (s.cost.macs > 0)
        std::printf("compute per image: %.4g M MACs in the quantized layers, MAC-weighted bits %.3f, %.4g G BitOPs\n",
                    static_cast<double>(s.cost.macs) / 1e6, s.precision.macWeightedAvgBits, s.cost.bitOps / 1e9);
    const auto& t = s.time;
    if (t.wall > 0)
        std::printf(
            "time: %.1f s wall = start-up %.1f + steps %.1f + data %.1f + evaluation %.1f + ticket %.1f + "
            "sensitivity %.1f + snapshots %.1f + files %.1f + checkpoints %.1f + other %.1f; wall/steps %.3f\n",
            t.wall, t.startup, t.steps, t.data, t.evaluation, t.ticket, t.sensitivity, t.snapshots, t.files,
            t.checkpoints, t.other(), t.steps > 0 ? t.wall / t.steps : 0.0);
    std::fflush(stdout);
}

void ProgressPrinter::onFailed(const std::string& reason)
{
    std::lock_guard lock(mutex_);
    endLine();
    failed_ = true;
    std::fprintf(stderr, "csq-train: %s\n", reason.c_str());
}

}  // namespace csq::cli
