#include "plots/plot_exporter.h"

#include <filesystem>
#include <system_error>

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>

#include "plots/qcustomplot_include.h"

namespace csq::ui {

namespace {

QString suffixOf(const QString& path)
{
    return QFileInfo(path).suffix().toLower();
}

}  // namespace

bool PlotExporter::supports(const QString& path)
{
    const auto suffix = suffixOf(path);
    return suffix == u"png" || suffix == u"jpg" || suffix == u"jpeg" || suffix == u"pdf" || suffix == u"svg";
}

QString PlotExporter::fileFilter()
{
    return QObject::tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf);;JPEG image (*.jpg)");
}

bool PlotExporter::writeSvg(QCustomPlot& plot, const QString& path, QSize size)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return false;
    QSvgGenerator generator;
    generator.setOutputDevice(&file);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(plot.windowTitle().isEmpty() ? QStringLiteral("CSQ Studio plot") : plot.windowTitle());
    generator.setDescription(QStringLiteral("Exported by CSQ Studio"));
    QCPPainter painter;
    if (!painter.begin(&generator)) return false;
    plot.toPainter(&painter, size.width(), size.height());
    painter.end();
    return file.commit();
}

QString PlotExporter::save(QCustomPlot& plot, const QString& path, QSize size)
{
    if (!supports(path)) return QObject::tr("%1: unknown image format; use .png, .svg, .pdf or .jpg").arg(path);
    if (size.isEmpty()) size = plot.size().isEmpty() ? QSize(900, 600) : plot.size();
    const auto suffix = suffixOf(path);
    if (suffix == u"svg")
        return writeSvg(plot, path, size) ? QString() : QObject::tr("%1: could not write the SVG file").arg(path);

    // QCustomPlot writes the file itself: write next to the target, then rename over it.
    const QString partial = path + QStringLiteral(".part");
    const int w = size.width(), h = size.height();
    bool ok = false;
    if (suffix == u"png")
        ok = plot.savePng(partial, w, h);
    else if (suffix == u"pdf")
        ok = plot.savePdf(partial, w, h, QCP::epNoCosmetic, QStringLiteral("CSQ Studio"));
    else
        ok = plot.saveJpg(partial, w, h, 1.0, 95);
    std::error_code ec;
    if (ok) std::filesystem::rename(partial.toStdString(), path.toStdString(), ec);
    if (ok && !ec) return {};
    QFile::remove(partial);
    return QObject::tr("%1: could not write the file%2")
        .arg(path, ec ? QStringLiteral(" (%1)").arg(QString::fromStdString(ec.message())) : QString());
}

}  // namespace csq::ui
