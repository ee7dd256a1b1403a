#pragma once
// What the chosen dataset holds: format, name, image counts and shape, each class with its training
// and test counts (bars in a table), and the first samples of each class, scaled up crisply. Reading
// a dataset takes a while (gzip, image folders), so it happens on Qt's thread pool: a newer request
// supersedes an older one, and the load holds nothing of the widget, so closing mid-load is safe (its
// result is dropped with the watcher).
#include <memory>

#include <QFutureWatcher>
#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QScrollArea;
class QTableWidget;

namespace csq {
struct DatasetPreview;
}

namespace csq::ui {

class DatasetInspector : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSamplesPerClass = 8;
    static constexpr int kClassesShown = 10;  // sample rows; the table lists every class
    static constexpr int kDebounceMs = 300;   // typing a path loads once, after the pause

    explicit DatasetInspector(QWidget* parent = nullptr);
    ~DatasetInspector() override;  // waits for a load in flight: no thread outlives the panel

    // Follows the setup: a changed source is read after a short pause, and only while the panel is
    // visible (a hidden one reads it when it is next shown).
    void setSource(const QString& path, int imageSize, int imageChannels);
    // Reads the current source now (visible or not).
    void reload();
    // Why the chosen model cannot take this dataset's images ("" when it can), shown above the preview.
    void setModelFit(const QString& problem);
    QString modelFitText() const;

    // What the panel shows (tests).
    bool busy() const { return workerBusy_; }
    QString summaryText() const;
    QString shapeText() const;
    QString errorText() const;
    int classRows() const;
    QString className(int row) const;
    qint64 trainCount(int row) const;
    qint64 testCount(int row) const;
    int sampleCount() const { return samplesShown_; }
    int loadsStarted() const { return loadsStarted_; }

Q_SIGNALS:
    void shown();  // a load ended and its preview or error is on screen

protected:
    void showEvent(QShowEvent* event) override;

private:
    void sourceSettled();
    struct Loaded {
        quint64 generation = 0;  // of the request it answers
        std::shared_ptr<const csq::DatasetPreview> preview;
        QString error;  // when there is no preview
    };

    void launch();
    void loaded(const Loaded& result);
    void showPreview(const csq::DatasetPreview& preview);
    void showError(const QString& error);
    void clearShown();
    void fillTable(const csq::DatasetPreview& preview);
    QWidget* buildSamples(const csq::DatasetPreview& preview);
    void setBusy(bool busy);

    QLabel* summary_;
    QLabel* shape_;
    QLabel* error_;
    QLabel* modelFit_;
    QProgressBar* progress_;
    QTableWidget* table_;
    QScrollArea* samples_;
    QTimer debounce_;

    QString path_;
    int imageSize_ = 32;
    int imageChannels_ = 0;
    bool stale_ = true;       // the source changed since it was last read
    bool hasSource_ = false;  // setSource was called at least once

    QFutureWatcher<Loaded> load_;  // one load at a time
    bool workerBusy_ = false;
    bool pending_ = false;    // a newer request waits for the running load
    quint64 generation_ = 0;  // of the latest request: older results are dropped
    int samplesShown_ = 0;
    int loadsStarted_ = 0;
};

}  // namespace csq::ui
