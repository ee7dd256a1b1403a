#include "follow/follow_window.h"

#include <cmath>
#include <limits>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QFontDatabase>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTime>
#include <QVBoxLayout>

#include "csq/metrics_columns.h"
#include "run/beta_plan.h"
#include "plots/beta_schedule_view.h"
#include "plots/layer_bits_view.h"
#include "plots/loss_accuracy_view.h"
#include "run/metrics_store.h"
#include "plots/plot_exporter.h"
#include "plots/precision_view.h"
#include "compare/result_plot.h"
#include "follow/run_follower.h"
#include "compare/scheme_grid_view.h"

namespace csq::ui {

namespace {

// The index of the last row of `kind`, or -1.
int lastRow(const MetricsCsv& metrics, MetricsCsv::Kind kind)
{
    for (int row = metrics.rowCount() - 1; row >= 0; --row)
        if (metrics.kind(row) == kind) return row;
    return -1;
}

QString number(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

}  // namespace

FollowWindow::FollowWindow(const QString& directory, QWidget* parent, int intervalMs)
    : QMainWindow(parent, Qt::Window),
      follower_(new RunFollower(directory, this)),
      store_(new MetricsStore(this)),
      schemeStore_(new MetricsStore(this)),
      feed_(*store_)
{
    setObjectName(QStringLiteral("followWindow"));
    setWindowTitle(tr("Following %1").arg(QDir::toNativeSeparators(follower_->directory())));
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 6, 8, 0);
    auto* readOnly = new QLabel(tr("read-only: this run is written by another process"), central);
    readOnly->setObjectName(QStringLiteral("followReadOnlyLabel"));
    readOnly->setEnabled(false);  // drawn muted: a note, not a control
    status_ = new QLabel(central);
    status_->setObjectName(QStringLiteral("followStatus"));
    status_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));  // digits that do not jitter
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_->setWordWrap(true);
    problems_ = new QLabel(central);
    problems_->setObjectName(QStringLiteral("followProblems"));
    problems_->setWordWrap(true);
    problems_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problems_->setStyleSheet(QStringLiteral("color: #d0302f;"));
    problems_->hide();
    layout->addWidget(readOnly);
    layout->addWidget(status_);
    layout->addWidget(problems_);
    layout->addWidget(buildPlots(), 1);
    setCentralWidget(central);
    buildMenus();
    resize(1200, 800);

    connect(follower_, &RunFollower::configChanged, this, &FollowWindow::onConfig);
    connect(follower_, &RunFollower::metricsChanged, this, &FollowWindow::onMetrics);
    connect(follower_, &RunFollower::schemeChanged, this, &FollowWindow::onScheme);
    connect(follower_, &RunFollower::finished, this, &FollowWindow::onFinished);
    connect(follower_, &RunFollower::error, this, [this](const QString& message) {
        statusBar()->showMessage(message.section(u'\n', 0, 0), 10000);
        refreshStatus();
    });
    refreshStatus();
    follower_->setInterval(intervalMs);
    follower_->start();
}

QWidget* FollowWindow::buildPlots()
{
    precision_ = new PrecisionView(*store_);
    beta_ = new BetaScheduleView(*store_);
    loss_ = new LossAccuracyView(*store_);
    layerBits_ = new LayerBitsView(*schemeStore_);
    scheme_ = new SchemeGridView;
    auto* curves = new QSplitter(Qt::Vertical);
    curves->addWidget(precision_);
    curves->addWidget(beta_);
    tabs_ = new QTabWidget;
    tabs_->setDocumentMode(true);
    tabs_->addTab(curves, tr("Precision"));
    tabs_->addTab(loss_, tr("Loss and accuracy"));
    tabs_->addTab(layerBits_, tr("Layers"));
    tabs_->addTab(scheme_, tr("Kept bits"));
    return tabs_;
}

QList<PlotPanel*> FollowWindow::plots() const
{
    return {precision_, beta_, loss_, layerBits_};
}

void FollowWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* exportCurrent = file->addAction(tr("&Export plot…"), this, &FollowWindow::exportCurrentPlot);
    exportCurrent->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportCurrent->setToolTip(tr("Export the plot of the current tab (PNG, SVG, PDF)"));
    auto* each = file->addMenu(tr("Export p&lots"));
    QList<QPair<QString, QWidget*>> exportable;  // live plots and the kept-bits grid have different bases
    for (auto* plot : plots()) exportable.append({plot->title(), plot});
    exportable.append({tr("Kept bits"), scheme_});
    for (const auto& [title, plot] : exportable)
        each->addAction(tr("%1…").arg(title), this, [this, plot = plot] { exportPlot(plot); });
    file->addSeparator();
    auto* close = file->addAction(tr("&Close window"), this, &QWidget::close);
    close->setShortcut(QKeySequence::Close);
}

QString FollowWindow::directory() const
{
    return follower_->directory();
}

bool FollowWindow::isFinished() const
{
    return follower_->isFinished();
}

QString FollowWindow::statusText() const
{
    return status_->text();
}

QString FollowWindow::problemText() const
{
    return problems_->text();
}

void FollowWindow::onConfig(const csq::TrainingConfig& config)
{
    beta_->setPlan(BetaPlan::of(config));
    refreshStatus();
}

void FollowWindow::onMetrics(const MetricsCsv& metrics)
{
    feed_.feed(metrics);
    statusBar()->showMessage(tr("metrics read at %1").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))));
    refreshStatus();
}

void FollowWindow::onScheme(const std::vector<csq::LayerScheme>& layers)
{
    csq::Snapshot scheme;
    scheme.layers = layers;
    schemeStore_->clear();
    schemeStore_->addSnapshot(scheme);
    scheme_->showScheme(QFileInfo(directory()).fileName(), layers);
    refreshStatus();
}

void FollowWindow::onFinished()
{
    statusBar()->showMessage(tr("the run has finished; following stopped"));
    refreshStatus();
}

void FollowWindow::refreshStatus()
{
    const auto& summary = follower_->summary();
    const auto& metrics = follower_->metrics();
    if (summary)
        status_->setText(finishedLine(*summary));
    else if (metrics && metrics->rowCount() > 0)
        status_->setText(progressLine(*metrics, follower_->config()));
    else
        status_->setText(follower_->config() ? tr("started; waiting for the first metrics")
                                             : tr("waiting for the run's files…"));
    const auto problems = follower_->problems().join(u'\n');
    problems_->setText(problems);
    problems_->setVisible(!problems.isEmpty());
}

QString FollowWindow::progressLine(const MetricsCsv& metrics, const std::optional<csq::TrainingConfig>& config)
{
    const int last = metrics.rowCount() - 1;
    if (last < 0) return {};
    const int step = lastRow(metrics, MetricsCsv::Kind::Step), epoch = lastRow(metrics, MetricsCsv::Kind::Epoch);
    const int now = step >= 0 ? step : last;  // the step rows carry the running values
    auto value = [&](int row, const char* column) {
        return row < 0 ? std::numeric_limits<double>::quiet_NaN() : metrics.number(row, QLatin1String(column));
    };
    QStringList parts;
    parts << tr("epoch %1/%2")
                 .arg(static_cast<int>(value(last, "epoch")) + 1)
                 .arg(config ? QString::number(config->totalEpochs()) : QStringLiteral("?"));
    if (const auto phase = metrics.text(last, QLatin1String(csq::metrics_column::kPhase)); !phase.isEmpty())
        parts << phase;
    if (!std::isnan(value(now, "step"))) parts << tr("step %1").arg(static_cast<qint64>(value(now, "step")));
    if (!std::isnan(value(now, "beta"))) parts << tr("β %1").arg(number(value(now, "beta"), 2));
    if (!std::isnan(value(now, "avg_bits")))
        parts << tr("bits %1 (weighted %2) → target %3")
                     .arg(number(value(now, "avg_bits"), 2), number(value(now, "weighted_avg_bits"), 2),
                          number(value(now, "target_bits"), 2));
    if (!std::isnan(value(now, csq::metrics_column::kCe)))
        parts << tr("loss %1").arg(number(value(now, csq::metrics_column::kCe), 4));
    if (!std::isnan(value(now, "train_acc"))) parts << tr("train %1 %").arg(number(value(now, "train_acc"), 1));
    if (!std::isnan(value(epoch, "test_acc")))
        parts << tr("test %1 % (exact %2 %)")
                     .arg(number(value(epoch, "test_acc"), 2), number(value(epoch, "test_acc_quantized"), 2));
    if (!std::isnan(value(now, "images_per_second")))
        parts << tr("%1 img/s").arg(std::lround(value(now, "images_per_second")));
    return parts.join(QStringLiteral(" · "));
}

QString FollowWindow::finishedLine(const csq::RunResult& r)
{
    return tr("finished: test %1 %, exact integer model %2 %, %3 bits/layer, %4 bits/weight, %5 KiB of weights")
        .arg(number(r.testAccuracy, 2), number(r.testAccuracyQuantized, 2), number(r.avgBits, 2),
             number(r.weightedAvgBits, 2), number(r.weightKiB, 1));
}

void FollowWindow::exportCurrentPlot()
{
    // The Precision tab holds two plots: its first (precision against the budget) is the one exported.
    auto* page = tabs_->currentWidget();
    if (auto* splitter = qobject_cast<QSplitter*>(page)) page = splitter->widget(0);
    exportPlot(page);
}

void FollowWindow::exportPlot(QWidget* plot)
{
    if (auto* result = qobject_cast<ResultPlot*>(plot)) {
        result->exportWithDialog();
        return;
    }
    auto* panel = qobject_cast<PlotPanel*>(plot);
    if (!panel) return;
    const auto path =
        QFileDialog::getSaveFileName(this, tr("Export %1").arg(panel->title()),
                                     panel->exportName() + QStringLiteral(".png"), PlotExporter::fileFilter());
    if (path.isEmpty()) return;
    if (const auto error = panel->exportTo(path); !error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), error);
}

}  // namespace csq::ui
