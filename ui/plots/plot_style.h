#pragma once
// The look every plot shares: axes, grid and legend drawn in the widget palette's colours, so the
// light and dark themes (and a theme switch while open) need nothing from each plot.
#include <QPalette>

class QCustomPlot;

namespace csq::ui {

bool isDarkPalette(const QPalette& palette);
void stylePlot(QCustomPlot& plot, const QPalette& palette);

}  // namespace csq::ui
