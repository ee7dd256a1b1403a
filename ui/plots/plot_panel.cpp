#include "plots/plot_panel.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QVBoxLayout>

#include "run/metrics_store.h"
#include "plots/plot_exporter.h"
#include "plots/plot_style.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

PlotPanel::PlotPanel(MetricsStore& store, const QString& title, QWidget* parent)
    : QWidget(parent), store_(store), title_(title), plot_(new QCustomPlot(this)), layout_(new QVBoxLayout(this))
{
    layout_->setContentsMargins(4, 4, 4, 4);
    layout_->setSpacing(4);
    layout_->addWidget(plot_, 1);
    plot_->setWindowTitle(title);
    plot_->setNoAntialiasingOnDrag(true);
    plot_->setContextMenuPolicy(Qt::NoContextMenu);  // the panel's own menu (export) handles it
    timer_.setSingleShot(true);
    timer_.setInterval(kMinReplotIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &PlotPanel::onTimer);
    connect(&store_, &MetricsStore::changed, this, &PlotPanel::scheduleRefresh);
}

void PlotPanel::scheduleRefresh()
{
    dirty_ = true;
    // A single-shot timer that is not restarted while pending: bursts of snapshots cost one replot.
    if (onScreen() && !timer_.isActive()) timer_.start();
}

bool PlotPanel::onScreen() const
{
    return isVisible() && !visibleRegion().isEmpty();
}

void PlotPanel::onTimer()
{
    if (dirty_ && onScreen()) refreshNow();
}

void PlotPanel::refreshNow()
{
    dirty_ = false;
    rebuild();
    plot_->replot(QCustomPlot::rpQueuedReplot);
    ++replots_;
}

void PlotPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (dirty_) timer_.start();  // catch up with what arrived while hidden
}

void PlotPanel::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        styleAllAxes();
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

bool PlotPanel::darkPalette() const
{
    return isDarkPalette(palette());
}

void PlotPanel::styleAllAxes()
{
    stylePlot(*plot_, palette());
}

QString PlotPanel::exportTo(const QString& path, QSize size)
{
    if (dirty_ || replots_ == 0) {
        dirty_ = false;
        rebuild();  // an export shows the latest data even when the panel is hidden
    }
    // Never shown (a background tab): the widget's size says nothing; use a document-friendly one.
    if (size.isEmpty() && !plot_->isVisible()) size = QSize(1000, 640);
    return PlotExporter::save(*plot_, path, size);
}

void PlotPanel::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    auto* exportAction = menu.addAction(tr("Export %1…").arg(title_));
    if (menu.exec(event->globalPos()) != exportAction) return;
    const auto path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(title_),
                                                   exportName() + QStringLiteral(".png"), PlotExporter::fileFilter());
    if (path.isEmpty()) return;
    if (const auto error = exportTo(path); !error.isEmpty()) QMessageBox::warning(this, tr("Export failed"), error);
}

}  // namespace csq::ui
