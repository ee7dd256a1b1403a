#include "plots/plot_style.h"

#include "plots/qcustomplot_include.h"

namespace csq::ui {

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

void stylePlot(QCustomPlot& plot, const QPalette& pal)
{
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(isDarkPalette(pal) ? 50 : 40);
    plot.setBackground(pal.brush(QPalette::Base));
    for (auto* rect : plot.axisRects()) {
        rect->setBackground(pal.brush(QPalette::Base));
        for (auto* axis : rect->axes()) {
            axis->setBasePen(QPen(text, 1));
            axis->setTickPen(QPen(text, 1));
            axis->setSubTickPen(QPen(text, 1));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    if (plot.legend) {
        plot.legend->setBrush(pal.brush(QPalette::Base));
        plot.legend->setBorderPen(QPen(grid));
        plot.legend->setTextColor(text);
    }
}

}  // namespace csq::ui
