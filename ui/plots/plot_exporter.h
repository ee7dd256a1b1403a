#pragma once
// Writes a QCustomPlot to PNG, JPG, PDF or SVG (QCustomPlot 2.1 has no SVG: drawn through
// QSvgGenerator), atomically: a temporary file next to the target, renamed when complete.
#include <QSize>
#include <QString>

class QCustomPlot;

namespace csq::ui {

class PlotExporter {
public:
    // The format is the file name's suffix (png, jpg, pdf, svg); size 0x0 uses the plot's own size.
    // Returns an empty string on success, otherwise what went wrong.
    static QString save(QCustomPlot& plot, const QString& path, QSize size = {});
    static bool supports(const QString& path);
    // "PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)" for file dialogs.
    static QString fileFilter();

private:
    static bool writeSvg(QCustomPlot& plot, const QString& path, QSize size);
};

}  // namespace csq::ui
