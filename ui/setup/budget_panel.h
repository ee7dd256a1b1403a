#pragma once
// The live knobs: one slider for each field the config table marks `live` (target bits, β_final, λ,
// the ticket epoch, the learning rate). Before a run they edit the config; during one they go to
// Session::update, debounced, and replan the β curve at once.
#include <vector>

#include <QMap>
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

    // Ranges follow the config (target ≤ max bits, ticket ≤ epochs, β_final > β0); no signals.
    void setConfig(const csq::TrainingConfig& config);
    void applyTo(csq::TrainingConfig& config) const;
    void showIssues(const std::vector<csq::ConfigIssue>& issues);
    // While live, edits also leave as patches; `status` reports how the last one fared.
    void setLive(bool live);
    bool live() const { return live_; }
    void showPatchResult(const QString& error);
    // "Target bits 3 bits, λ budget strength 0.1": the knobs a patch changes, for the log.
    QString describe(const csq::ConfigPatch& patch) const;

    // The slider of a live config key ("target_bits"), nullptr for any other key.
    ValueSlider* slider(const QString& key) const { return sliders_.value(key); }
    QString issueText(const QString& key) const;

Q_SIGNALS:
    void edited();                                   // at once: the plan may have changed
    void patchReady(const csq::ConfigPatch& patch);  // debounced, only while live

private:
    void onMoved();
    void flush();

    QMap<QString, ValueSlider*> sliders_;  // by config key
    QMap<QString, QLabel*> issues_;
    QLabel* status_;
    QTimer debounce_;
    csq::TrainingConfig sent_;  // what the run has: only changed knobs go into a patch
    bool live_ = false;
};

}  // namespace csq::ui
