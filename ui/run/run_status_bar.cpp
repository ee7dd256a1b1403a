#include "run/run_status_bar.h"

#include <cmath>

#include <QFontDatabase>
#include <QLabel>
#include <QProgressBar>

#include "csq/enum_names.h"

namespace csq::ui {

RunStatusBar::RunStatusBar(QWidget* parent)
    : QStatusBar(parent),
      phase_(new QLabel(this)),
      epoch_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      speed_(new QLabel(this)),
      eta_(new QLabel(this))
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFontMetrics metrics(mono);
    auto fixed = [&](QLabel* label, const QString& widest, const QString& tip) {
        label->setFont(mono);
        label->setMinimumWidth(metrics.horizontalAdvance(widest) + 12);
        label->setAlignment(Qt::AlignCenter);
        label->setToolTip(tip);
        addPermanentWidget(label);
    };
    fixed(phase_, QStringLiteral("finetune"),
          tr("Phase: float (warm-up), search (scheme forming), ticket (scheme frozen), finetune"));
    fixed(epoch_, QStringLiteral("epoch 000/000"), tr("Epoch in progress / epochs of the run"));
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(220);
    progress_->setTextVisible(true);
    progress_->setFont(mono);
    progress_->setToolTip(tr("Batches done of the whole run"));
    addPermanentWidget(progress_);
    fixed(speed_, QStringLiteral("000000 img/s"), tr("Training throughput over the last logged batches"));
    fixed(eta_, QStringLiteral("ETA 00:00:00"), tr("Estimated time left"));
    showIdle();
}

QString RunStatusBar::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("--:--");
    const auto s = static_cast<qint64>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QChar(u'0'))
            .arg(s % 60, 2, 10, QChar(u'0'));
    return QStringLiteral("%1:%2").arg(s / 60, 2, 10, QChar(u'0')).arg(s % 60, 2, 10, QChar(u'0'));
}

void RunStatusBar::showSnapshot(const csq::Snapshot& s, int totalEpochs)
{
    phase_->setText(QString::fromStdString(csq::toString(s.phase)));
    epoch_->setText(tr("epoch %1/%2").arg(s.epoch + 1).arg(totalEpochs));
    const int permille = s.totalSteps > 0 ? static_cast<int>(1000 * s.step / s.totalSteps) : 0;
    progress_->setValue(permille);
    progress_->setFormat(QStringLiteral("%1 %").arg(permille / 10.0, 0, 'f', 1));
    speed_->setText(tr("%1 img/s").arg(std::lround(s.imagesPerSecond)));
    eta_->setText(tr("ETA %1").arg(formatDuration(s.etaSeconds)));
}

void RunStatusBar::showState(const QString& state)
{
    phase_->setText(state);
}

void RunStatusBar::showIdle()
{
    phase_->setText(tr("idle"));
    epoch_->setText(QStringLiteral("epoch -/-"));
    progress_->setValue(0);
    progress_->setFormat(QStringLiteral("–"));
    speed_->setText(QStringLiteral("- img/s"));
    eta_->setText(QStringLiteral("ETA --:--"));
}

int RunStatusBar::progress() const
{
    return progress_->value();
}

}  // namespace csq::ui
