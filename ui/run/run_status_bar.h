#pragma once
// The status bar of a run: phase, epoch x / y, progress, throughput and time left, in monospace
// digits so the numbers do not jitter as they change.
#include <QStatusBar>

#include "csq/snapshot.h"

class QLabel;
class QProgressBar;

namespace csq::ui {

class RunStatusBar : public QStatusBar {
    Q_OBJECT
public:
    explicit RunStatusBar(QWidget* parent = nullptr);

    void showSnapshot(const csq::Snapshot& snapshot, int totalEpochs);
    void showState(const QString& state);  // in the phase field: "loading data…", "paused", "stopping…"
    void showIdle();                       // no run: dashes everywhere
    int progress() const;

    static QString formatDuration(double seconds);

private:
    QLabel* phase_;
    QLabel* epoch_;
    QProgressBar* progress_;
    QLabel* speed_;
    QLabel* eta_;
};

}  // namespace csq::ui
