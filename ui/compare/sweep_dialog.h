#pragma once
// Runs a budget sweep from the GUI: budgets and uniform baselines (comma-separated lists, errors shown
// inline), a sweep folder and the runs side by side, over the current setup as the base config.
// csq::runSweep runs on the dialog's own one-thread pool with a stop flag; the log and each run's
// state follow it; Stop leaves checkpoints that the same sweep resumes when started again. Closing
// stops it; the destructor stops it and waits for it.
#include <atomic>
#include <functional>
#include <optional>

#include <QDialog>
#include <QFuture>
#include <QThreadPool>

#include "csq/config.h"
#include "csq/sweep.h"

class QFormLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;
class QTreeWidgetItem;

namespace csq::ui {

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    explicit SweepDialog(QWidget* parent = nullptr);
    ~SweepDialog() override;

    // The base config (every setting but the budget); read when the fields are checked and at Start.
    void setConfigSource(std::function<csq::TrainingConfig()> source);

    // The plan the fields describe, or nullopt with every problem shown beside its field.
    std::optional<csq::SweepPlan> plan();
    // Starts the sweep (false when the fields are invalid or one is running).
    bool start();
    // Sets the stop flag: running runs save a checkpoint and end; the thread ends after them.
    void requestStop();
    // Stops and joins the sweep's thread (the destructor does this too).
    void stopAndWait();
    bool running() const { return running_; }
    bool stopRequested() const { return stop_.load(); }
    // Called on the run's training thread with each progress line, after the line is queued to the
    // dialog: a test holds a run at a known point with it (it must not block past stopRequested()).
    using LineTap = std::function<void(const QString& run, const QString& line)>;
    void setLineTap(LineTap tap) { lineTap_ = std::move(tap); }

    QLineEdit* budgetsEdit() const { return budgets_; }
    QLineEdit* uniformEdit() const { return uniform_; }
    QLineEdit* seedsEdit() const { return seeds_; }
    QLineEdit* directoryEdit() const { return directory_; }
    QPushButton* startButton() const { return startButton_; }
    QPushButton* stopButton() const { return stopButton_; }
    QString budgetsError() const;
    QString uniformError() const;
    QString directoryError() const;
    QString planError() const;  // a config the plan makes that the engine rejects
    // A run's state in the list ("waiting", "running", "done", "failed", …); "" for an unknown run.
    QString runState(const QString& run) const;
    QString logText() const;

Q_SIGNALS:
    // The sweep's thread ended (finished, stopped or failed); its finished runs are under `directory`.
    void sweepEnded(const QString& directory, const QString& error);

public Q_SLOTS:
    void checkFields();

protected:
    void showEvent(QShowEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void reject() override;

private:
    QLabel* issueLabel();
    void chooseDirectory();
    void fillRuns(const csq::SweepPlan& plan);
    void setRunState(const QString& run, const QString& state, const QString& detail = {});
    QFormLayout* buildPlanForm();
    void buildProgressViews();
    QHBoxLayout* buildButtons();
    void onLog(const QString& run, const QString& line);
    void onState(const QString& run, csq::SweepRunState state, const QString& detail);
    void onEnded(const QString& error, int finished);
    void updateButtons();
    void appendLog(const QString& line);

    std::function<csq::TrainingConfig()> configSource_;
    LineTap lineTap_;
    QLabel* base_;
    QLineEdit* budgets_;
    QLabel* budgetsIssue_;
    QLineEdit* uniform_;
    QLabel* uniformIssue_;
    QLineEdit* seeds_;
    QLabel* seedsIssue_;
    QLineEdit* directory_;
    QLabel* directoryIssue_;
    QSpinBox* parallel_;
    QLabel* planIssue_;
    QTreeWidget* runs_;
    QProgressBar* progress_;
    QPlainTextEdit* log_;
    QPushButton* startButton_;
    QPushButton* stopButton_;
    QPushButton* closeButton_;

    QThreadPool pool_;  // one thread: the sweep, not Qt's global pool, which short tasks share
    QFuture<void> sweep_;
    std::atomic<bool> stop_{false};
    bool running_ = false;
    bool valid_ = false;
    bool closeWhenDone_ = false;
    QString runningDirectory_;
};

}  // namespace csq::ui
