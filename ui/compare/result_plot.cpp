#include "compare/result_plot.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QVBoxLayout>

#include "plots/plot_exporter.h"
#include "plots/plot_style.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

ResultPlot::ResultPlot(const QString& title, QWidget* parent)
    : QWidget(parent), title_(title), plot_(new QCustomPlot(this)), layout_(new QVBoxLayout(this))
{
    layout_->setContentsMargins(4, 4, 4, 4);
    layout_->setSpacing(4);
    layout_->addWidget(plot_, 1);
    plot_->setWindowTitle(title);
    plot_->setContextMenuPolicy(Qt::NoContextMenu);  // our own menu (export) handles it
}

bool ResultPlot::darkPalette() const
{
    return isDarkPalette(palette());
}

void ResultPlot::styleAllAxes()
{
    stylePlot(*plot_, palette());
}

void ResultPlot::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        styleAllAxes();
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

QString ResultPlot::exportTo(const QString& path, QSize size)
{
    // Never shown (a background tab): the widget's size says nothing; use a document-friendly one.
    if (size.isEmpty() && !plot_->isVisible()) size = QSize(1000, 640);
    return PlotExporter::save(*plot_, path, size);
}

QString ResultPlot::exportFilter() const
{
    return PlotExporter::fileFilter();
}

void ResultPlot::exportWithDialog()
{
    const auto path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(title_),
                                                   exportName() + QStringLiteral(".png"), exportFilter());
    if (path.isEmpty()) return;
    if (const auto error = exportTo(path); !error.isEmpty()) QMessageBox::warning(this, tr("Export failed"), error);
}

void ResultPlot::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    auto* exportAction = menu.addAction(tr("Export %1…").arg(title_));
    if (menu.exec(event->globalPos()) == exportAction) exportWithDialog();
}

}  // namespace csq::ui
