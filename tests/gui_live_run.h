#pragma once
// Shared by the GUI tests that drive the real engine: the tiny run they start, on a small dataset the
// test process writes itself (so they run wherever they are built), and the checks that no thread or
// file is left behind.
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include "csq/config.h"
#include "synthetic_dataset.h"

namespace csq::ui::testing {

// A learnable MNIST-style IDX dataset (3000 training, 500 test images), written once per process
// into a folder removed when the process ends.
inline QString liveRunData()
{
    static QTemporaryDir dir;
    static const bool written = [] {
        csq::test::writeSyntheticDataset(dir.path().toStdString(), 3000, 500);
        return true;
    }();
    return written ? dir.path() : QString();
}

inline csq::TrainingConfig tinyConfig(const QString& outDir)
{
    csq::TrainingConfig c;
    c.data = liveRunData().toStdString();
    c.trainLimit = 2000;
    c.epochs = 2;
    c.ticketEpoch = 1.5;
    c.floatEpochs = 0;  // straight into the search: the tiny run must show a scheme forming
    c.finetuneEpochs = 0;
    c.budgetRamp = 0;  // the target at once: snapshots carry the target the tests set
    c.logEvery = 2;
    c.outDir = outDir.toStdString();
    return c;
}

// Threads of this process, from the kernel: what "no thread left behind" is measured by.
inline int threadCount()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return -1;
    for (const auto& line : status.readAll().split('\n'))
        if (line.startsWith("Threads:")) return line.mid(8).trimmed().toInt();
    return -1;
}

// Answers the question box named `boxName` as a user would, once it shows (the box may be modal and
// run its own event loop); `asked` is set when it did. Delete the returned watcher when the box may
// no longer come, so that it cannot answer a later one.
inline QTimer* answerQuestionWhenShown(const QString& boxName, QMessageBox::StandardButton answer, bool* asked)
{
    auto* timer = new QTimer(qApp);
    timer->setInterval(50);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, boxName, answer, asked] {
        for (auto* widget : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(widget);
            if (!box || box->objectName() != boxName || !box->isVisible() || !box->button(answer)) continue;
            *asked = true;
            box->button(answer)->click();
            timer->stop();
            timer->deleteLater();
            return;
        }
    });
    timer->start();
    return timer;
}

inline QTimer* answerCloseQuestion(QMessageBox::StandardButton answer, bool* asked)
{
    return answerQuestionWhenShown(QStringLiteral("confirmCloseBox"), answer, asked);
}

inline bool nonEmptyFile(const QString& path)
{
    return QFileInfo(path).isFile() && QFileInfo(path).size() > 0;
}

}  // namespace csq::ui::testing
