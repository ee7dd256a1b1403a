#pragma once
// A perceptually uniform, colour-blind-safe gradient for values in [0, 1] (matplotlib's viridis,
// sampled): QCustomPlot 2.1 ships no such preset. NaN cells (a layer without that bit) are transparent.
class QCPColorGradient;

namespace csq::ui {

QCPColorGradient viridisGradient();

}  // namespace csq::ui
