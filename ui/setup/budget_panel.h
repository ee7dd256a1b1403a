#pragma once
// The live knobs: target bits, β_final and λ (log scales) and the ticket epoch. Before a run they
// edit the config; during one they go to Session::update, debounced, and replan the β curve at once.
#include <vector>

#include <QHash>
#include <QTimer>
#include <QWidget>

#include "csq/config.h"
#include "run/engine_metatypes.h"

class QLabel;

namespace csq::ui {

class ValueSlider;

class BudgetPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDebounceMs = 150;

    explicit BudgetPanel(QWidget* parent = nullptr);

    // Ranges follow the config (target ≤ max bits, ticket ≤ epochs); no signals.
    void setConfig(const csq::TrainingConfig& config);
    void applyTo(csq::TrainingConfig& config) const;
    void showIssues(const std::vector<csq::ConfigIssue>& issues);
    // While live, edits also leave as patches; `status` reports how the last one fared.
    void setLive(bool live);
    bool live() const { return live_; }
    void showPatchResult(const QString& error);
    // "target 3 bits, λ 0.1": the knobs a patch changes, for the log.
    static QString describe(const csq::ConfigPatch& patch);

    ValueSlider* targetSlider() const { return target_; }
    ValueSlider* betaFinalSlider() const { return betaFinal_; }
    ValueSlider* ticketSlider() const { return ticket_; }
    ValueSlider* lambdaSlider() const { return lambda_; }
    QString issueText(const QString& key) const;

Q_SIGNALS:
    void edited();                                   // at once: the plan may have changed
    void patchReady(const csq::ConfigPatch& patch);  // debounced, only while live

private:
    ValueSlider* addSlider(const QString& key, const QString& label, ValueSlider* slider, const QString& tip);
    void onMoved();
    void flush();

    ValueSlider* target_;
    ValueSlider* betaFinal_;
    ValueSlider* ticket_;
    ValueSlider* lambda_;
    QHash<QString, QLabel*> issues_;
    QLabel* status_;
    QTimer debounce_;
    csq::TrainingConfig sent_;  // what the run has: only changed knobs go into a patch
    bool live_ = false;
};

}  // namespace csq::ui
