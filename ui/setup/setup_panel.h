#pragma once
// The run's setup: model, dataset and every TrainingConfig knob except the four live budget knobs
// (BudgetPanel), each with a tooltip and the engine's validation message shown beside it in red. The
// rows are ConfigRows (the field table's knobs); a knob without its own words here still shows, under
// "Other settings".
#include <vector>

#include <QWidget>

#include "csq/config.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;

namespace csq::ui {

class ConfigRows;
class DatasetField;

class SetupPanel : public QWidget {
    Q_OBJECT
public:
    explicit SetupPanel(QWidget* parent = nullptr);

    // Shows a config's values (no configChanged); applyTo writes the panel's knobs into a config.
    void setConfig(const csq::TrainingConfig& config);
    void applyTo(csq::TrainingConfig& config) const;
    // Marks the fields named by the config issues (JSON keys); clears the others.
    void showIssues(const std::vector<csq::ConfigIssue>& issues);
    // A run uses the config it started with: the knobs are read-only while it lives.
    void setRunning(bool running);

    DatasetField* datasetField() const { return dataset_; }
    QWidget* editor(const QString& key) const;  // the widget editing a JSON key (tests)
    // The app's runs folder (run_folders.h), shown under the run directory: remembered and shown.
    void setRunsRoot(const QString& folder);
    QString runsRootText() const;
    QString issueText(const QString& key) const;  // the red message beside it ("" when fine)
    QStringList keys() const;

Q_SIGNALS:
    void configChanged();

private:
    QFormLayout* addGroup(const QString& title);
    void buildModelGroup();
    void buildDataGroup();
    void buildQuantizationGroup();
    void buildOptimizationGroup();
    void buildRunGroup();
    void edited();
    void updateModelOverride();  // a model spec replaces the zoo network: say so at the chooser
    void updateImageFields();    // image size and channels are editable only where they apply

    QWidget* body_;
    DatasetField* dataset_ = nullptr;
    QLineEdit* outDir_ = nullptr;
    QComboBox* model_ = nullptr;
    QLineEdit* modelSpec_ = nullptr;
    QLabel* modelNote_ = nullptr;
    QLabel* runsRoot_ = nullptr;
    ConfigRows* rows_;
    bool loading_ = false;
};

}  // namespace csq::ui
