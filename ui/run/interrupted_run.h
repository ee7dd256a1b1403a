#pragma once
// Remembers, in the settings, the run directory a run is writing to, so that a run cut short (the app
// crashed or was killed, or the window was closed mid-run) can be offered for resume on the next start.
// A run that finished, failed, or that the user stopped is forgotten.
#include <optional>

#include <QString>

namespace csq::ui {

class InterruptedRun {
public:
    QString runDir;
    QString checkpoint;   // runDir/checkpoint.pt
    QString model;        // from config.json; empty when it cannot be read
    int epochsDone = 0;   // epoch rows in metrics.csv
    int epochsTotal = 0;  // from config.json; 0 when unknown

    static void remember(const QString& runDir);
    static void forget();
    // The remembered run when it can be resumed: checkpoint.pt is there and summary.json is not.
    // A remembered run that cannot be resumed is forgotten.
    static std::optional<InterruptedRun> pending();

    QString describe() const;  // "lenet5, 3 of 10 epochs done, in /path"
};

}  // namespace csq::ui
