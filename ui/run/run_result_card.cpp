#include "run/run_result_card.h"

#include <algorithm>

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace csq::ui {

double RunResultCard::weightKiB(const csq::RunSummary& s)
{
    return csq::weightKiB(s.floatModel ? std::vector<csq::LayerScheme>{} : s.layers, s.totalParams);
}

double RunResultCard::floatKiB(const csq::RunSummary& s)
{
    return csq::weightKiB({}, s.totalParams);
}

RunResultCard::RunResultCard(const csq::RunSummary& s, QWidget* parent)
    : QDialog(parent), runDir_(QString::fromStdString(s.runDir))
{
    setWindowTitle(tr("Run finished"));
    auto* column = new QVBoxLayout(this);
    auto* title = new QLabel(
        tr("<b>%1</b> on %2 finished")
            .arg(QString::fromStdString(s.model).toHtmlEscaped(), QString::fromStdString(s.dataset).toHtmlEscaped()),
        this);
    column->addWidget(title);
    if (s.collapsedEpoch > 0) {
        auto* warning = new QLabel(tr("The network collapsed to chance in epoch %1: it guesses one class. Try a "
                                      "float warm-up or lower learning rates (the log says more).")
                                       .arg(s.collapsedEpoch),
                                   this);
        warning->setObjectName(QStringLiteral("collapseWarning"));
        warning->setWordWrap(true);
        warning->setStyleSheet(QStringLiteral("color: #d32f2f;"));
        column->addWidget(warning);
    }
    auto* form = new QFormLayout;
    column->addLayout(form);
    setLayout(column);
    form->setLabelAlignment(Qt::AlignRight);
    auto row = [this, form](const QString& key, const QString& label, const QString& text) {
        auto* value = new QLabel(text, this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(label, value);
        rows_.insert(key, value);
    };
    row(QStringLiteral("exact"), tr("Test accuracy, exact integer model"),
        tr("%1 %").arg(s.testAccuracyQuantized, 0, 'f', 2));
    row(QStringLiteral("soft"), tr("Test accuracy, soft gates"), tr("%1 %").arg(s.testAccuracy, 0, 'f', 2));
    row(QStringLiteral("bits"), tr("Bits"),
        s.floatModel ? tr("float (no quantization)")
                     : tr("%1 per layer · %2 per weight (target %3, %4 mode)")
                           .arg(s.precision.avgBits, 0, 'f', 3)
                           .arg(s.precision.weightedAvgBits, 0, 'f', 3)
                           .arg(s.targetBits)
                           .arg(QString::fromStdString(s.budgetMode)));
    const double kib = weightKiB(s), floatSize = floatKiB(s);
    row(QStringLiteral("size"), tr("Weights"),
        s.floatModel || kib <= 0 ? tr("%1 KiB as float").arg(floatSize, 0, 'f', 1)
                                 : tr("%1 KiB against %2 KiB as float (%3× smaller)")
                                       .arg(kib, 0, 'f', 1)
                                       .arg(floatSize, 0, 'f', 1)
                                       .arg(floatSize / kib, 0, 'f', 1));
    if (s.cost.macs > 0 && !s.floatModel)
        row(QStringLiteral("compute"), tr("Compute per image"),
            tr("%1 M MACs · %2 MAC-weighted bits · %3 G BitOPs")
                .arg(static_cast<double>(s.cost.macs) / 1e6, 0, 'g', 4)
                .arg(s.precision.macWeightedAvgBits, 0, 'f', 3)
                .arg(s.cost.bitOps / 1e9, 0, 'g', 4));
    row(QStringLiteral("time"), tr("Training time"),
        tr("%1 s over %2 epochs (%3 images/s)")
            .arg(s.seconds, 0, 'f', 0)
            .arg(s.epochs)
            .arg(s.imagesPerSecond, 0, 'f', 0));
    if (const auto& t = s.time; t.wall > 0) {
        row(QStringLiteral("wall"), tr("Wall time"),
            tr("%1 s: steps %2, evaluation %3%4, start-up %5, files and checkpoints %6, the rest %7")
                .arg(t.wall, 0, 'f', 0)
                .arg(t.steps, 0, 'f', 0)
                .arg(t.evaluation, 0, 'f', 0)
                .arg((t.ticket > 0 ? tr(", measured ticket %1").arg(t.ticket, 0, 'f', 0) : QString()) +
                     (t.sensitivity > 0 ? tr(", sensitivity %1").arg(t.sensitivity, 0, 'f', 0) : QString()))
                .arg(t.startup, 0, 'f', 0)
                .arg(t.files + t.checkpoints, 0, 'f', 0)
                .arg(t.data + t.snapshots + t.other(), 0, 'f', 0));
    }
    row(QStringLiteral("folder"), tr("Folder"), QDir::toNativeSeparators(runDir_));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* open = buttons->addButton(tr("Open folder"), QDialogButtonBox::ActionRole);
    auto* compare = buttons->addButton(tr("Compare…"), QDialogButtonBox::ActionRole);
    auto* sweep = buttons->addButton(tr("Sweep from this setup…"), QDialogButtonBox::ActionRole);
    open->setToolTip(tr("Open the run folder in the file manager"));
    compare->setToolTip(tr("Open this run in the comparison window"));
    sweep->setToolTip(tr("Run this setup at several budgets and uniform baselines"));
    connect(open, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(runDir_)); });
    connect(compare, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(runDir_); });
    connect(sweep, &QPushButton::clicked, this, &RunResultCard::sweepRequested);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    column->addWidget(buttons);
}

QString RunResultCard::figure(const QString& key) const
{
    const auto* label = rows_.value(key);
    return label ? label->text() : QString();
}

}  // namespace csq::ui
