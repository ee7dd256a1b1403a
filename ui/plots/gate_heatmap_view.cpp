#include "plots/gate_heatmap_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>

#include "run/metrics_store.h"
#include "plots/csv_field.h"
#include "plots/layer_axis.h"
#include "plots/qcustomplot_include.h"
#include "plots/viridis_gradient.h"

#include "csq/enum_names.h"

namespace csq::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString phaseName(csq::Phase phase)
{
    return QString::fromStdString(csq::toString(phase));
}

}  // namespace

GateHeatmapView::GateHeatmapView(MetricsStore& store, QWidget* parent) : PlotPanel(store, tr("Gate heatmap"), parent)
{
    auto& p = plot();
    caption_ = new QCPTextElement(&p, tr("Waiting for the first snapshot…"));
    p.plotLayout()->insertRow(0);
    p.plotLayout()->addElement(0, 0, caption_);

    auto* rect = p.axisRect();
    map_ = new QCPColorMap(p.xAxis, p.yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    map_->setGradient(viridisGradient());
    map_->setDataRange(QCPRange(0, 1));

    scale_ = new QCPColorScale(&p);
    p.plotLayout()->addElement(1, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    scale_->setGradient(viridisGradient());
    scale_->setDataRange(QCPRange(0, 1));
    scale_->axis()->setLabel(tr("mask gate f_β(m_b)"));
    scale_->setBarWidth(14);
    map_->setColorScale(scale_);
    auto* margins = new QCPMarginGroup(&p);
    rect->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    keptMarks_ = p.addGraph(p.xAxis, p.yAxis);
    keptMarks_->setLineStyle(QCPGraph::lsNone);
    keptMarks_->setName(tr("kept bit"));

    p.xAxis->setLabel(tr("bit (MSB … LSB)"));
    p.xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    rowLabels_ = new LayerAxisLabels(p.yAxis, /*scrollable=*/true);
    p.yAxis->setRangeReversed(true);  // first layer on top, as in the network
    p.xAxis->grid()->setVisible(false);
    p.yAxis->grid()->setVisible(false);
    p.xAxis->setSubTicks(false);
    p.yAxis->setSubTicks(false);
    p.setMouseTracking(true);
    connect(&p, &QCustomPlot::mouseMove, this, &GateHeatmapView::showHover);
    setToolTip(
        tr("Rows: quantized layers. Columns: bits, most significant first. Colour: the mask gate; "
           "a dot marks a kept bit (m_b ≥ 0). Hover a cell for details; the wheel zooms along the layers "
           "and dragging scrolls them; right-click to export."));
    styleAllAxes();
    applyPalette();
}

void GateHeatmapView::applyPalette()
{
    const QColor text = palette().color(QPalette::WindowText);
    caption_->setTextColor(text);
    for (auto* axis : {scale_->axis()}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    // A light ring with a dark rim reads on both ends of the gradient.
    keptMarks_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(20, 20, 20), 1.2), QBrush(QColor(250, 250, 250)), 7));
}

void GateHeatmapView::readLatest()
{
    rows_.clear();
    columns_ = 0;
    totalParams_ = 0;
    const bool planned = !store().latest();
    const auto& latest = planned ? store().plannedStart() : store().latest();
    if (!latest) {
        caption_->setText(tr("Waiting for the first snapshot…"));
        return;
    }
    const auto& s = *latest;
    for (const auto& layer : s.layers) columns_ = std::max(columns_, layer.maxBits);
    for (size_t l = 0; l < s.layers.size(); ++l) {
        const auto& layer = s.layers[l];
        Row row{
            QString::fromStdString(layer.name), layerDescription(layer), layer.params, layer.searchable, {}, {}, {}};
        row.gates.fill(kNaN, columns_);
        row.logits.fill(kNaN, columns_);
        row.kept.fill(false, columns_);
        for (int b = 0; b < layer.maxBits; ++b) {
            const int c = columns_ - 1 - b;
            if (l < s.gates.size() && b < static_cast<int>(s.gates[l].size()))
                row.gates[c] = std::clamp(s.gates[l][b], 0.0, 1.0);
            if (l < s.maskLogits.size() && b < static_cast<int>(s.maskLogits[l].size()))
                row.logits[c] = s.maskLogits[l][b];
            if (b < static_cast<int>(layer.kept.size())) row.kept[c] = layer.kept[b];
        }
        totalParams_ += layer.params;
        rows_.append(row);
    }
    if (planned) {
        caption_->setText(s.layers.empty() ? tr("before Start: a float model keeps no bits")
                                           : tr("before Start: %n quantized layer(s) · β0 = %1 · %2 bits/layer avg",
                                                nullptr, static_cast<int>(s.layers.size()))
                                                 .arg(s.beta, 0, 'g', 4)
                                                 .arg(s.precision.avgBits, 0, 'f', 2));
        return;
    }
    caption_->setText(tr("epoch %1 · %2 · β = %3 · %4 bits/layer avg")
                          .arg(s.t, 0, 'f', 2)
                          .arg(phaseName(s.phase))
                          .arg(s.beta, 0, 'g', 4)
                          .arg(s.precision.avgBits, 0, 'f', 2));
}

void GateHeatmapView::updateAxes()
{
    auto& p = plot();
    auto xTicker = qSharedPointerCast<QCPAxisTickerText>(p.xAxis->ticker());
    xTicker->clear();
    for (int c = 0; c < columns_; ++c) xTicker->addTick(c, QStringLiteral("b%1").arg(bitOfColumn(c)));
    QStringList labels;
    for (const auto& r : rows_) {
        const auto name = shortLayerName(r.name);
        labels << (r.searchable ? name : tr("%1 (held)").arg(name));
    }
    rowLabels_->setLabels(labels);
    p.xAxis->setRange(-0.5, std::max(columns_, 1) - 0.5);
}

void GateHeatmapView::fillCells()
{
    auto* cells = map_->data();
    cells->setSize(std::max(columns_, 1), std::max(rowCount(), 1));
    cells->setRange(QCPRange(0, std::max(columns_ - 1, 0)), QCPRange(0, std::max(rowCount() - 1, 0)));
    if (rows_.isEmpty()) cells->fill(kNaN);
    keptMarks_->data()->clear();
    QVector<double> keys, values;
    for (int r = 0; r < rowCount(); ++r)
        for (int c = 0; c < columns_; ++c) {
            cells->setCell(c, r, rows_[r].gates[c]);
            if (rows_[r].kept[c]) {
                keys.append(c);
                values.append(r);
            }
        }
    keptMarks_->setData(keys, values, true);
}

void GateHeatmapView::rebuild()
{
    readLatest();
    updateAxes();
    fillCells();
}

QString GateHeatmapView::rowLabel(int row) const
{
    if (row < 0 || row >= rowCount()) return {};
    const auto& r = rows_[row];
    return r.searchable ? r.name : tr("%1 (held)").arg(r.name);
}

int GateHeatmapView::labelStep() const
{
    return rowLabels_->step();
}

double GateHeatmapView::gate(int row, int column) const
{
    if (row < 0 || row >= rowCount() || column < 0 || column >= columns_) return kNaN;
    return rows_[row].gates[column];
}

double GateHeatmapView::displayedValue(int row, int column) const
{
    return map_->data()->cell(column, row);
}

bool GateHeatmapView::kept(int row, int column) const
{
    return row >= 0 && row < rowCount() && column >= 0 && column < columns_ && rows_[row].kept[column];
}

int GateHeatmapView::keptMarkerCount() const
{
    return keptMarks_->dataCount();
}

QString GateHeatmapView::cellToolTip(int row, int column) const
{
    if (row < 0 || row >= rowCount() || column < 0 || column >= columns_) return {};
    const auto& r = rows_[row];
    if (std::isnan(r.gates[column])) return {};
    const QLocale locale;
    const double share =
        totalParams_ > 0 ? 100.0 * static_cast<double>(r.params) / static_cast<double>(totalParams_) : 0;
    return tr("<b>%1</b>%2<br>%9bit b%3 (weight 2<sup>%3</sup>)<br>gate f_β(m) = %4<br>logit m = %5<br>%6<br>"
              "%7 weights (%8 % of the model)")
        .arg(r.name.toHtmlEscaped(), r.searchable ? QString() : tr(" — held at max bits"))
        .arg(bitOfColumn(column))
        .arg(r.gates[column], 0, 'f', 4)
        .arg(r.logits[column], 0, 'f', 3)
        .arg(r.kept[column] ? tr("kept") : tr("dropped"))
        .arg(locale.toString(r.params))
        .arg(share, 0, 'f', 1)
        .arg(r.description.isEmpty() ? QString() : r.description.toHtmlEscaped() + QStringLiteral("<br>"));
}

void GateHeatmapView::showHover(QMouseEvent* event)
{
    showCellToolTip(plot(), event, [this](int row, int column) { return cellToolTip(row, column); });
}

QString GateHeatmapView::exportTo(const QString& path, QSize size)
{
    if (QFileInfo(path).suffix().compare(u"csv", Qt::CaseInsensitive) == 0) return exportCsv(path);
    return PlotPanel::exportTo(path, size);
}

QString GateHeatmapView::exportCsv(const QString& path)
{
    rebuild();
    if (rows_.isEmpty()) return tr("no scheme yet: start a run first");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return tr("%1: %2").arg(path, file.errorString());
    QString out = QStringLiteral("layer,params,searchable,kept_bits");
    for (int c = 0; c < columns_; ++c) out += QStringLiteral(",b%1").arg(bitOfColumn(c));
    out += u'\n';
    for (const auto& r : rows_) {
        out += QStringLiteral("%1,%2,%3,%4")
                   .arg(csvField(r.name))
                   .arg(r.params)
                   .arg(r.searchable ? 1 : 0)
                   .arg(std::count(r.kept.begin(), r.kept.end(), true));
        for (double g : r.gates) out += u',' + (std::isnan(g) ? QString() : QString::number(g, 'g', 6));
        out += u'\n';
    }
    file.write(out.toUtf8());
    return file.commit() ? QString() : tr("%1: %2").arg(path, file.errorString());
}

}  // namespace csq::ui
