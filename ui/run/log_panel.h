#pragma once
// The run's log: engine lines, live changes, exports and failures with a time stamp, bounded so a
// long run cannot grow it without end.
#include <QPlainTextEdit>

#include "csq/snapshot.h"
#include "run/engine_metatypes.h"

namespace csq::ui {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000;

    explicit LogPanel(QWidget* parent = nullptr);

    static QString summaryText(const csq::RunSummary& summary);

public Q_SLOTS:
    void appendLine(const QString& line);
    void appendError(const QString& line);
    void appendEpoch(const csq::EpochResult& result);
};

}  // namespace csq::ui
