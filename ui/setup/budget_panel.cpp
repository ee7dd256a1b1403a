#include "setup/budget_panel.h"

#include <algorithm>
#include <cmath>

#include <QCoreApplication>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "csq/config_fields.h"
#include "setup/value_slider.h"

namespace csq::ui {

namespace {

#define LOOK_TR(text) QT_TRANSLATE_NOOP("csq::ui::BudgetPanel", text)

// How a hand moves each live knob. Which knobs are live, and what values they accept, is the field
// table's (csq/config_fields.h); a live knob missing here still gets a slider (see lookFor).
struct Look {
    const char* key;
    const char* label;
    const char* unit;
    ValueSlider::Scale scale;
    double low, high, step;  // the slider's ends before the config narrows them; no step on a log scale
    const char* tip;
};

using Scale = ValueSlider::Scale;
const Look kLooks[] = {
    {"target_bits", LOOK_TR("Target bits"), LOOK_TR("bits"), Scale::Linear, 0.5, 8, 0.05,
     LOOK_TR("The precision the budget term steers to, in bits per weight (layer-average or size-weighted, by "
             "the budget mode). Above the current precision bits grow, below they are pruned.")},
    {"lambda", LOOK_TR("λ budget strength"), "", Scale::Log, 1e-4, 10, 0,
     LOOK_TR("Weight of the budget term λ·Δ_S·Σ f_β(m_b) against the cross-entropy (log scale).")},
    {"beta_final", LOOK_TR("β final"), "", Scale::Log, 2, 10000, 0,
     LOOK_TR("Gate temperature reached at the ticket (log scale). Higher: harder gates, an earlier commitment to "
             "each bit.")},
    {"ticket_epoch", LOOK_TR("Ticket epoch"), LOOK_TR("ep"), Scale::Linear, 0.05, 10, 0.05,
     LOOK_TR("When the scheme freezes (mask gates become steps); the remaining epochs train the bits of the fixed "
             "scheme.")},
    {"lr", LOOK_TR("Learning rate"), "", Scale::Log, 1e-5, 1, 0,
     LOOK_TR("Peak learning rate of the float parameters (biases, batch norm, the float model's weights), before "
             "the warm-up and cosine factors (log scale). The bit and mask logits keep their own rates.")},
};

QString translated(const char* text)
{
    return QCoreApplication::translate("csq::ui::BudgetPanel", text);
}

// A live knob without a look: its key as label, its --help line as tip, a log slider over two decades
// either side of its default (a linear one over [0, 1] when the default is not positive), inside the
// table's range.
Look lookFor(const csq::ConfigField& field)
{
    for (const auto& look : kLooks)
        if (std::string_view(look.key) == field.key) return look;
    const double value = csq::numericValue(field, csq::TrainingConfig{}).value_or(0);
    Look look{field.key, field.key, "", Scale::Log, value / 100, value * 100, 0, field.help};
    if (value <= 0) look = {field.key, field.key, "", Scale::Linear, 0, 1, 0.01, field.help};
    if (field.range.bounded()) {
        const double inside = 1e-6 * (look.high - look.low);  // an open end lies just inside
        look.low = std::max(look.low, field.range.low + (field.range.lowOpen ? inside : 0));
        look.high = std::min(look.high, field.range.high - (field.range.highOpen ? inside : 0));
    }
    return look;
}

// The slider's ends for this config: its own span, except where another field bounds this one
// (csq::effectiveRange, what validate() accepts). Above a lower bound (β's, on a log scale) it keeps a
// decade of room.
std::pair<double, double> endsFor(const Look& look, const csq::ConfigField& field, const csq::TrainingConfig& config)
{
    const auto [range, boundBy, boundAbove] = csq::effectiveRange(field, config);
    double low = look.low, high = look.high;
    if (!boundBy.empty() && boundAbove) high = std::max(range.high, look.low);
    if (!boundBy.empty() && !boundAbove) {
        low = std::max(look.low, range.lowOpen ? range.low * 1.01 : range.low);
        high = std::max(high, range.low * 10);
    }
    return {low, high};
}

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
    int row = 0;
    for (const auto& field : csq::configFields()) {
        if (!field.live) continue;
        const auto look = lookFor(field);
        const auto key = QString::fromUtf8(field.key);
        auto* slider = new ValueSlider(look.scale, look.low, look.high, look.step, this);
        slider->setProperty("key", key);
        slider->setProperty("label", translated(look.label));
        slider->setUnit(translated(look.unit));
        slider->setToolTip(QStringLiteral("<p>%1</p><p><i>config key: %2</i></p>").arg(translated(look.tip), key));
        connect(slider, &ValueSlider::valueChanged, this, &BudgetPanel::onMoved);
        auto* label = new QLabel(translated(look.label), this);
        label->setToolTip(slider->toolTip());
        auto* issue = new QLabel(this);
        issue->setWordWrap(true);
        issue->setStyleSheet(QStringLiteral("color: #d32f2f;"));
        issue->setVisible(false);
        sliders_.insert(key, slider);
        issues_.insert(key, issue);
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

void BudgetPanel::setConfig(const csq::TrainingConfig& config)
{
    for (auto it = sliders_.begin(); it != sliders_.end(); ++it) {
        const auto& field = *csq::findConfigField(it.key().toStdString());
        const auto [low, high] = endsFor(lookFor(field), field, config);
        it.value()->setRange(low, high);
        it.value()->setValue(*csq::numericValue(field, config));
    }
    if (!live_) sent_ = config;
}

void BudgetPanel::applyTo(csq::TrainingConfig& config) const
{
    for (auto it = sliders_.begin(); it != sliders_.end(); ++it)
        csq::setNumericValue(*csq::findConfigField(it.key().toStdString()), config, it.value()->value());
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
    if (!live_) return;
    csq::ConfigPatch patch;
    for (auto it = sliders_.begin(); it != sliders_.end(); ++it) {
        const auto key = it.key().toStdString();
        if (it.value()->value() != csq::numericValue(*csq::findConfigField(key), sent_))
            patch.set(key, it.value()->value());
    }
    if (patch.empty()) return;
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

QString BudgetPanel::describe(const csq::ConfigPatch& patch) const
{
    QStringList parts;
    for (const auto& [key, value] : patch.values()) {
        const auto* slider = sliders_.value(QString::fromStdString(key));
        const auto label = slider ? slider->property("label").toString() : QString::fromStdString(key);
        parts << QStringLiteral("%1 %2").arg(label).arg(value, 0, 'g', 4);
    }
    return parts.join(QStringLiteral(", "));
}

}  // namespace csq::ui
