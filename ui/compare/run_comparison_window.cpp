#include "compare/run_comparison_window.h"

#include <algorithm>

#include <QAbstractItemView>
#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHash>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

#include "csq/sweep.h"
#include "compare/curve_overlay_view.h"
#include "compare/pareto_view.h"
#include "compare/scheme_comparison_tab.h"
#include "compare/sweep_dialog.h"

namespace csq::ui {

namespace {

// Matplotlib's tab10: distinct on light and dark backgrounds alike.
const QList<QColor>& runColors()
{
    static const QList<QColor> colors = {QColor(0x1f77b4), QColor(0xff7f0e), QColor(0x2ca02c), QColor(0xd62728),
                                         QColor(0x9467bd), QColor(0x8c564b), QColor(0xe377c2), QColor(0x7f7f7f),
                                         QColor(0xbcbd22), QColor(0x17becf)};
    return colors;
}

QIcon swatch(const QColor& color)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(140), 1));
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pixmap);
}

QString canonical(const QString& directory)
{
    const QFileInfo info(directory);
    return QDir::cleanPath(info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath());
}

QStringList droppedFolders(const QMimeData* mime)
{
    QStringList folders;
    if (!mime || !mime->hasUrls()) return folders;
    for (const auto& url : mime->urls())
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isDir()) folders.append(url.toLocalFile());
    return folders;
}

QString runToolTip(const RunRecord& record)
{
    const auto& r = record.result;
    QString text = QObject::tr("%1<br>%2 run, %3 · size-weighted bits %4 · exact integer model %5 %")
                       .arg(QDir::toNativeSeparators(record.directory()).toHtmlEscaped(),
                            r.floatModel ? QObject::tr("float")
                            : r.uniform  ? QObject::tr("uniform")
                                         : QObject::tr("mixed"),
                            QString::fromStdString(r.model))
                       .arg(r.weightedAvgBits, 0, 'f', 3)
                       .arg(r.testAccuracyQuantized, 0, 'f', 2);
    if (!record.metricsError.isEmpty())
        text += QObject::tr("<br>no curves: %1").arg(record.metricsError.toHtmlEscaped());
    return text;
}

}  // namespace

RunComparisonWindow::RunComparisonWindow(QWidget* parent) : QMainWindow(parent, Qt::Window)
{
    setObjectName(QStringLiteral("runComparisonWindow"));
    setWindowTitle(tr("Compare runs — CSQ Studio"));
    setAcceptDrops(true);
    pareto_ = new ParetoView;
    curves_ = new CurveOverlayView;
    tabs_ = new QTabWidget;
    tabs_->setDocumentMode(true);
    tabs_->addTab(pareto_, tr("Pareto"));
    tabs_->addTab(curves_, tr("Curves"));
    schemeTab_ = new SchemeComparisonTab;
    tabs_->addTab(schemeTab_, tr("Heatmaps"));
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(buildRunPanel());
    splitter->addWidget(tabs_);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({280, 900});
    setCentralWidget(splitter);
    buildActions();
    statusBar()->showMessage(tr("Open run folders or a sweep folder, or drop them here."));
    resize(1240, 760);
    runsChanged();
}

RunComparisonWindow::~RunComparisonWindow()
{
    if (sweep_) sweep_->stopAndWait();  // before any panel goes: the sweep's thread is joined here
}

void RunComparisonWindow::setConfigSource(std::function<csq::TrainingConfig()> source)
{
    configSource_ = std::move(source);
    if (sweep_) sweep_->setConfigSource(configSource_);
}

QWidget* RunComparisonWindow::buildRunPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(new QLabel(tr("Runs (checked: drawn in Pareto and Curves)")));
    list_ = new QListWidget(panel);
    list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    connect(list_, &QListWidget::itemChanged, this, [this] {
        if (!updating_) refreshResultViews();
    });
    layout->addWidget(list_, 1);
    auto* buttons = new QHBoxLayout;
    auto* remove = new QPushButton(tr("&Remove"), panel);
    remove->setToolTip(tr("Close the selected runs (their folders stay)"));
    connect(remove, &QPushButton::clicked, this, [this] {
        QList<int> rows;
        for (auto* item : list_->selectedItems()) rows.append(list_->row(item));
        std::sort(rows.begin(), rows.end(), std::greater<>());
        for (int row : rows) removeRun(row);
    });
    auto* clear = new QPushButton(tr("C&lear"), panel);
    connect(clear, &QPushButton::clicked, this, &RunComparisonWindow::clearRuns);
    buttons->addWidget(remove);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    return panel;
}

void RunComparisonWindow::buildActions()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* bar = addToolBar(tr("Runs"));
    bar->setObjectName(QStringLiteral("comparisonToolBar"));
    auto add = [this, file, bar](const QString& text, const QKeySequence& key, const QString& tip, auto slot) {
        auto* action = new QAction(text, this);
        action->setShortcut(key);
        action->setToolTip(tip);
        connect(action, &QAction::triggered, this, slot);
        file->addAction(action);
        bar->addAction(action);
        return action;
    };
    add(tr("Open &runs…"), QKeySequence::Open, tr("Open one or more run folders"), &RunComparisonWindow::chooseRuns);
    add(tr("Open s&weep…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
        tr("Open every finished run of a sweep folder"), &RunComparisonWindow::chooseSweep);
    add(tr("Run s&weep…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
        tr("Train the current setup at several budgets and uniform baselines"), &RunComparisonWindow::showSweepDialog);
    file->addSeparator();
    bar->addSeparator();
    add(tr("&Export plot…"), QKeySequence(Qt::CTRL | Qt::Key_E),
        tr("Export the plot of the current tab (PNG, SVG, PDF, CSV)"), &RunComparisonWindow::exportCurrentPlot);
    file->addSeparator();
    auto* close = file->addAction(tr("&Close window"));
    close->setShortcut(QKeySequence::Close);
    connect(close, &QAction::triggered, this, &QWidget::close);
}

int RunComparisonWindow::addRunOrGroup(const csq::RunResult& result)
{
    if (!result.isGroup()) return addRun(RunRecord::load(QString::fromStdString(result.runDir)));
    const auto group = canonical(QString::fromStdString(result.runDir));
    int added = 0;
    for (const auto& member : result.members) added += addRun(RunRecord::load(QString::fromStdString(member)), group);
    return added;
}

bool RunComparisonWindow::addRun(RunRecord record, const QString& group)
{
    const auto path = canonical(record.directory());
    for (const auto& e : runs_)
        if (canonical(e.record.directory()) == path) return false;  // already open
    auto taken = [this](const QString& label) {
        return std::any_of(runs_.begin(), runs_.end(), [&](const Entry& e) { return e.label == label; });
    };
    QString label = group.isEmpty() ? record.name() : QFileInfo(group).fileName() + u'/' + record.name();
    if (taken(label)) label = QFileInfo(QFileInfo(path).path()).fileName() + u'/' + record.name();
    for (int n = 2; taken(label); ++n) label = QStringLiteral("%1 (%2)").arg(record.name()).arg(n);
    Entry entry{std::move(record), label, nextColor(), group};
    auto* item = new QListWidgetItem(swatch(entry.color), label);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
    item->setToolTip(runToolTip(entry.record));
    updating_ = true;
    list_->addItem(item);
    updating_ = false;
    runs_.append(std::move(entry));
    return true;
}

QColor RunComparisonWindow::nextColor() const
{
    const auto& colors = runColors();
    for (const auto& c : colors)
        if (std::none_of(runs_.begin(), runs_.end(), [&](const Entry& e) { return e.color == c; })) return c;
    return colors[runs_.size() % colors.size()];
}

QString RunComparisonWindow::openPaths(const QStringList& paths)
{
    QStringList errors;
    int added = 0;
    for (const auto& path : paths) {
        if (!QFileInfo(path).isDir()) {
            errors.append(tr("%1: not a folder").arg(QDir::toNativeSeparators(path)));
            continue;
        }
        try {
            if (RunRecord::isRunDirectory(path)) {
                added += addRunOrGroup(csq::readRunResult(QDir::cleanPath(QDir(path).absolutePath()).toStdString()));
                continue;
            }
            const auto results = csq::readSweepResults(QDir(path).absolutePath().toStdString());
            if (results.empty())
                errors.append(tr("%1: no finished run here (no summary.json, nor run folders holding one)")
                                  .arg(QDir::toNativeSeparators(path)));
            for (const auto& r : results) {
                try {
                    added += addRunOrGroup(r);
                } catch (const std::exception& e) {
                    errors.append(QString::fromStdString(e.what()));
                }
            }
        } catch (const std::exception& e) {
            errors.append(QString::fromStdString(e.what()));
        }
    }
    if (added > 0) {
        runsChanged();
        statusBar()->showMessage(tr("%n run(s) opened", nullptr, added), 6000);
    }
    return errors.join(u'\n');
}

void RunComparisonWindow::removeRun(int index)
{
    if (index < 0 || index >= runCount()) return;
    updating_ = true;
    delete list_->takeItem(index);
    updating_ = false;
    runs_.removeAt(index);
    runsChanged();
}

void RunComparisonWindow::clearRuns()
{
    updating_ = true;
    list_->clear();
    updating_ = false;
    runs_.clear();
    runsChanged();
}

bool RunComparisonWindow::runChecked(int index) const
{
    const auto* item = list_->item(index);
    return item && item->checkState() == Qt::Checked;
}

void RunComparisonWindow::setRunChecked(int index, bool checked)
{
    if (auto* item = list_->item(index))
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);  // itemChanged redraws
}

void RunComparisonWindow::runsChanged()
{
    refreshResultViews();
    QList<SchemeComparisonTab::Run> choices;
    for (const auto& e : runs_) choices.append({e.label, swatch(e.color), e.record.layers});
    schemeTab_->setRuns(std::move(choices));
}

void RunComparisonWindow::refreshResultViews()
{
    std::vector<csq::RunResult> results;
    QList<CurveOverlayView::Run> curves;
    QStringList groups;  // in list order
    QHash<QString, std::vector<csq::RunResult>> seeds;
    int withoutCurves = 0;
    for (int i = 0; i < runCount(); ++i) {
        if (!runChecked(i)) continue;
        const auto& e = runs_[i];
        auto r = e.record.result;
        r.name = e.label.toStdString();
        if (e.group.isEmpty()) {
            results.push_back(r);
        } else {
            if (!groups.contains(e.group)) groups.append(e.group);
            seeds[e.group].push_back(r);
        }
        if (e.record.metrics)
            curves.append({e.label, e.color, *e.record.metrics});
        else
            ++withoutCurves;
    }
    for (const auto& group : groups) {  // a group's checked seeds: one point at their means
        try {
            auto g = csq::aggregateRuns(seeds[group], group.toStdString());
            g.name = QFileInfo(group).fileName().toStdString();
            results.push_back(std::move(g));
        } catch (const std::exception& e) {
            statusBar()->showMessage(QString::fromStdString(e.what()), 8000);
        }
    }
    csq::markParetoFront(results);  // over the checked runs only
    pareto_->setResults(std::move(results));
    curves_->setRuns(curves);
    if (withoutCurves > 0)
        statusBar()->showMessage(tr("%n checked run(s) have no metrics.csv: no curves", nullptr, withoutCurves), 8000);
}

void RunComparisonWindow::compareSchemes(int a, int b, SchemeGridView::Mode mode)
{
    schemeTab_->compare(a, b, mode);
}

SchemeGridView* RunComparisonWindow::schemeView() const
{
    return schemeTab_->view();
}

QList<ResultPlot*> RunComparisonWindow::plots() const
{
    return {pareto_, curves_, schemeView()};
}

ResultPlot* RunComparisonWindow::currentPlot() const
{
    return plots().value(tabs_->currentIndex());
}

SweepDialog* RunComparisonWindow::sweepDialog()
{
    if (!sweep_) {
        sweep_ = new SweepDialog(this);
        if (configSource_) sweep_->setConfigSource(configSource_);
        connect(sweep_, &SweepDialog::sweepEnded, this, &RunComparisonWindow::onSweepEnded);
    }
    return sweep_;
}

void RunComparisonWindow::showSweepDialog()
{
    auto* dialog = sweepDialog();
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void RunComparisonWindow::onSweepEnded(const QString& directory, const QString& error)
{
    if (!error.isEmpty()) {
        reportErrors(error);
        return;
    }
    const auto errors = openPaths({directory});
    if (!errors.isEmpty()) statusBar()->showMessage(errors, 10000);  // a stopped sweep may have none finished
    tabs_->setCurrentWidget(pareto_);
    show();
    raise();
}

void RunComparisonWindow::chooseRuns()
{
    // Several folders at once: Qt's own dialog lets its views select more than one directory.
    QFileDialog dialog(this, tr("Open run folders"));
    dialog.setFileMode(QFileDialog::Directory);
    dialog.setOption(QFileDialog::ShowDirsOnly);
    dialog.setOption(QFileDialog::DontUseNativeDialog);
    for (auto* view : dialog.findChildren<QListView*>(QStringLiteral("listView")))
        view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    for (auto* view : dialog.findChildren<QTreeView*>()) view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    if (dialog.exec() != QDialog::Accepted) return;
    reportErrors(openPaths(dialog.selectedFiles()));
}

void RunComparisonWindow::chooseSweep()
{
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Open a sweep folder"));
    if (!dir.isEmpty()) reportErrors(openPaths({dir}));
}

void RunComparisonWindow::exportCurrentPlot()
{
    if (auto* plot = currentPlot()) plot->exportWithDialog();
}

void RunComparisonWindow::reportErrors(const QString& errors)
{
    if (errors.isEmpty()) return;
    statusBar()->showMessage(errors.section(u'\n', 0, 0), 10000);
    // Not modal: the window stays usable.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Not opened"), errors, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void RunComparisonWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFolders(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void RunComparisonWindow::dropEvent(QDropEvent* event)
{
    const auto folders = droppedFolders(event->mimeData());
    if (folders.isEmpty()) return;
    event->acceptProposedAction();
    reportErrors(openPaths(folders));
}

}  // namespace csq::ui
