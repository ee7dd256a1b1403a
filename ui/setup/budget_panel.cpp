#include "setup/budget_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "setup/value_slider.h"

namespace csq::ui {

namespace {
constexpr double kMinTarget = 0.5, kTargetStep = 0.05, kTicketStep = 0.05;
constexpr double kMinBetaFinal = 2, kMaxBetaFinal = 10000;
constexpr double kMinLambda = 1e-4, kMaxLambda = 10;
}  // namespace

BudgetPanel::BudgetPanel(QWidget* parent) : QWidget(parent)
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(8, 8, 8, 8);
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(2);
    grid->setColumnStretch(1, 1);
    column->addLayout(grid);
    target_ = addSlider(
        QStringLiteral("target_bits"), tr("Target bits"),
        new ValueSlider(ValueSlider::Scale::Linear, kMinTarget, 8, kTargetStep, this),
        tr("The precision the budget term steers to, in bits per weight (layer-average or "
           "size-weighted, by the budget mode). Above the current precision bits grow, below they are pruned."));
    target_->setUnit(tr("bits"));
    betaFinal_ = addSlider(QStringLiteral("beta_final"), tr("β final"),
                           new ValueSlider(ValueSlider::Scale::Log, kMinBetaFinal, kMaxBetaFinal, 0, this),
                           tr("Gate temperature reached at the ticket (log scale). Higher: harder gates, an earlier "
                              "commitment to each bit."));
    ticket_ = addSlider(QStringLiteral("ticket_epoch"), tr("Ticket epoch"),
                        new ValueSlider(ValueSlider::Scale::Linear, kTicketStep, 10, kTicketStep, this),
                        tr("When the scheme freezes (mask gates become steps); the remaining epochs train the bits "
                           "of the fixed scheme."));
    ticket_->setUnit(tr("ep"));
    lambda_ = addSlider(QStringLiteral("lambda"), tr("λ budget strength"),
                        new ValueSlider(ValueSlider::Scale::Log, kMinLambda, kMaxLambda, 0, this),
                        tr("Weight of the budget term λ·Δ_S·Σ f_β(m_b) against the cross-entropy (log scale)."));
    int row = 0;
    for (auto* slider : {target_, betaFinal_, ticket_, lambda_}) {
        auto* label = new QLabel(slider->property("label").toString(), this);
        label->setToolTip(slider->toolTip());
        auto* issue = issues_.value(slider->property("key").toString());
        grid->addWidget(label, row, 0);
        grid->addWidget(slider, row, 1);
        grid->addWidget(issue, row + 1, 1);
        row += 2;
    }
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setText(tr("Set before a run, or move during one: changes apply at the next batch."));
    status_->setEnabled(false);
    column->addWidget(status_);
    column->addStretch(1);

    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, &BudgetPanel::flush);
    setConfig(csq::TrainingConfig{});
}

ValueSlider* BudgetPanel::addSlider(const QString& key, const QString& label, ValueSlider* slider, const QString& tip)
{
    slider->setProperty("label", label);
    slider->setProperty("key", key);
    slider->setToolTip(QStringLiteral("<p>%1</p><p><i>config key: %2</i></p>").arg(tip, key));
    auto* issue = new QLabel(this);
    issue->setWordWrap(true);
    issue->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    issue->setVisible(false);
    issues_.insert(key, issue);
    connect(slider, &ValueSlider::valueChanged, this, &BudgetPanel::onMoved);
    return slider;
}

void BudgetPanel::setConfig(const csq::TrainingConfig& config)
{
    target_->setRange(kMinTarget, std::max<double>(config.maxBits, kMinTarget));
    target_->setValue(config.targetBits);
    betaFinal_->setRange(std::max(kMinBetaFinal, config.beta0 * 1.01), std::max(kMaxBetaFinal, config.beta0 * 10));
    betaFinal_->setValue(config.betaFinal);
    ticket_->setRange(kTicketStep, std::max<double>(config.epochs, kTicketStep));
    ticket_->setValue(config.ticketEpoch);
    lambda_->setValue(config.lambda);
    if (!live_) sent_ = config;
}

void BudgetPanel::applyTo(csq::TrainingConfig& config) const
{
    config.targetBits = target_->value();
    config.betaFinal = betaFinal_->value();
    config.ticketEpoch = ticket_->value();
    config.lambda = lambda_->value();
}

void BudgetPanel::showIssues(const std::vector<csq::ConfigIssue>& issues)
{
    for (auto it = issues_.begin(); it != issues_.end(); ++it) {
        QString text;
        for (const auto& issue : issues)
            if (QString::fromStdString(issue.field) == it.key()) text = QString::fromStdString(issue.message);
        it.value()->setText(text);
        it.value()->setVisible(!text.isEmpty());
    }
}

QString BudgetPanel::issueText(const QString& key) const
{
    const auto* label = issues_.value(key);
    return label ? label->text() : QString();
}

void BudgetPanel::setLive(bool live)
{
    if (live && !live_) {
        sent_ = {};
        applyTo(sent_);  // the run starts with what the sliders show
    }
    live_ = live;
    if (!live) debounce_.stop();
    status_->setText(live ? tr("Live: changes reach the run at its next batch boundary.")
                          : tr("Set before a run, or move during one: changes apply at the next batch."));
}

void BudgetPanel::onMoved()
{
    Q_EMIT edited();
    if (!live_) return;
    // Restarted on every move: a drag sends one patch when the hand rests, not one per pixel.
    debounce_.start();
}

void BudgetPanel::flush()
{
    csq::ConfigPatch patch;
    if (target_->value() != sent_.targetBits) patch.targetBits = target_->value();
    if (betaFinal_->value() != sent_.betaFinal) patch.betaFinal = betaFinal_->value();
    if (ticket_->value() != sent_.ticketEpoch) patch.ticketEpoch = ticket_->value();
    if (lambda_->value() != sent_.lambda) patch.lambda = lambda_->value();
    if (patch.empty() || !live_) return;
    applyTo(sent_);
    Q_EMIT patchReady(patch);
}

void BudgetPanel::showPatchResult(const QString& error)
{
    status_->setEnabled(true);
    status_->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("color: #d32f2f;"));
    status_->setText(error.isEmpty() ? tr("Live change sent; it shows in the plots from the next snapshot.")
                                     : tr("Live change refused: %1").arg(error));
}

}  // namespace csq::ui

namespace csq::ui {

QString BudgetPanel::describe(const csq::ConfigPatch& patch)
{
    QStringList parts;
    if (patch.targetBits) parts << tr("target %1 bits").arg(*patch.targetBits, 0, 'g', 4);
    if (patch.betaFinal) parts << tr("β_final %1").arg(*patch.betaFinal, 0, 'g', 4);
    if (patch.ticketEpoch) parts << tr("ticket at epoch %1").arg(*patch.ticketEpoch, 0, 'g', 4);
    if (patch.lambda) parts << tr("λ %1").arg(*patch.lambda, 0, 'g', 4);
    if (patch.lr) parts << tr("lr %1").arg(*patch.lr, 0, 'g', 4);
    return parts.join(QStringLiteral(", "));
}

}  // namespace csq::ui
