#include "run/log_panel.h"

#include <QFontDatabase>
#include <QTime>

#include "csq/enum_names.h"

namespace csq::ui {

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setPlaceholderText(tr("Messages of the run appear here."));
}

void LogPanel::appendLine(const QString& line)
{
    appendPlainText(QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}

void LogPanel::appendError(const QString& line)
{
    // Shown in red; HTML-escaped because engine messages quote paths and names.
    appendHtml(QStringLiteral("<span style=\"color:#d32f2f\">%1  %2</span>")
                   .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line.toHtmlEscaped()));
}

void LogPanel::appendEpoch(const csq::EpochResult& e)
{
    appendLine(tr("epoch %1 (%2): test %3 %, exact integer model %4 %, %5 bits/layer, %6 bits/weight, %7 img/s")
                   .arg(e.epoch + 1)
                   .arg(QString::fromStdString(csq::toString(e.phase)))
                   .arg(e.testAccuracy, 0, 'f', 2)
                   .arg(e.testAccuracyQuantized, 0, 'f', 2)
                   .arg(e.precision.avgBits, 0, 'f', 2)
                   .arg(e.precision.weightedAvgBits, 0, 'f', 2)
                   .arg(e.imagesPerSecond, 0, 'f', 0));
}

QString LogPanel::summaryText(const csq::RunSummary& s)
{
    return tr("finished: test %1 %, exact integer model %2 %, %3 bits/layer, %4 bits/weight, %5 img/s")
        .arg(s.testAccuracy, 0, 'f', 2)
        .arg(s.testAccuracyQuantized, 0, 'f', 2)
        .arg(s.precision.avgBits, 0, 'f', 2)
        .arg(s.precision.weightedAvgBits, 0, 'f', 2)
        .arg(s.imagesPerSecond, 0, 'f', 0);
}

}  // namespace csq::ui
