#pragma once
// What a finished run produced, in one place: exact and soft accuracy, both precision measures
// against the target, the weights' size against the float model, the time, and the run folder with
// Open, Compare and Sweep buttons. Not modal: the window stays usable behind it.
#include <QDialog>
#include <QHash>

#include "csq/snapshot.h"

class QLabel;

namespace csq::ui {

class RunResultCard : public QDialog {
    Q_OBJECT
public:
    explicit RunResultCard(const csq::RunSummary& summary, QWidget* parent = nullptr);

    // The text of a row: "exact", "soft", "bits", "size", "time", "folder" (tests).
    QString figure(const QString& row) const;
    // Quantized weights at their kept bits plus every other parameter at 32 bits, and the whole
    // network at 32 bits, in KiB.
    static double weightKiB(const csq::RunSummary& summary);
    static double floatKiB(const csq::RunSummary& summary);

Q_SIGNALS:
    void compareRequested(const QString& runDir);
    void sweepRequested();

private:
    QHash<QString, QLabel*> rows_;
    QString runDir_;
};

}  // namespace csq::ui
