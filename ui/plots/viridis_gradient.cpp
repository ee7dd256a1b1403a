#include "plots/viridis_gradient.h"

#include "plots/qcustomplot_include.h"

namespace csq::ui {

QCPColorGradient viridisGradient()
{
    // Nine samples of viridis at even positions; linear RGB interpolation between them is close enough.
    static constexpr QRgb kStops[] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                                      0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
    constexpr int n = sizeof kStops / sizeof kStops[0];
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i < n; ++i) gradient.setColorStopAt(static_cast<double>(i) / (n - 1), QColor(kStops[i]));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    gradient.setLevelCount(256);
    return gradient;
}

}  // namespace csq::ui
