#include "plots/sensitivity_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QFileInfo>
#include <QSaveFile>

#include "plots/layer_axis.h"
#include "plots/qcustomplot_include.h"
#include "plots/viridis_gradient.h"
#include "run/metrics_store.h"

namespace csq::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double percentOf(qint64 part, qint64 whole)
{
    return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

SensitivityView::SensitivityView(MetricsStore& store, QWidget* parent) : PlotPanel(store, tr("Sensitivity"), parent)
{
    auto& p = plot();
    caption_ = new QCPTextElement(&p, QString());
    p.plotLayout()->insertRow(0);
    p.plotLayout()->addElement(0, 0, caption_);

    map_ = new QCPColorMap(p.xAxis, p.yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    map_->setGradient(viridisGradient().inverted());  // costly cells dark, cheap ones light
    map_->setDataScaleType(QCPAxis::stLogarithmic);
    scale_ = new QCPColorScale(&p);
    p.plotLayout()->addElement(1, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    scale_->setGradient(viridisGradient().inverted());
    scale_->setDataScaleType(QCPAxis::stLogarithmic);
    scale_->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    scale_->axis()->setLabel(tr("loss added (nats)"));
    scale_->setBarWidth(14);
    map_->setColorScale(scale_);
    auto* margins = new QCPMarginGroup(&p);
    p.axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    keptMarks_ = p.addGraph(p.xAxis, p.yAxis);
    keptMarks_->setLineStyle(QCPGraph::lsNone);

    p.xAxis->setLabel(tr("bits k the layer alone is rounded onto"));
    p.xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    rowLabels_ = new LayerAxisLabels(p.yAxis, /*scrollable=*/true);
    p.yAxis->setRangeReversed(true);
    p.yAxis2->setVisible(true);
    p.yAxis2->setRangeReversed(true);
    p.yAxis2->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    connect(p.yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), p.yAxis2,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    for (auto* axis : {p.xAxis, p.yAxis, p.yAxis2}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
    }
    p.setMouseTracking(true);
    connect(&p, &QCustomPlot::mouseMove, this, &SensitivityView::showHover);
    setToolTip(
        tr("Each layer alone rounded onto k bits, the rest of the network as it stood: the loss that adds on "
           "1024 training images (colour, log scale). A ring marks the bits the layer keeps now; on the right "
           "its share of the weights and of the compute. Run → Measure sensitivity now measures it."));
    styleAllAxes();
    applyPalette();
}

void SensitivityView::applyPalette()
{
    const QColor text = palette().color(QPalette::WindowText);
    caption_->setTextColor(text);
    for (auto* axis : {scale_->axis(), plot().yAxis2}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    keptMarks_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(230, 40, 40), 2.0), QBrush(Qt::NoBrush), 11));
}

void SensitivityView::readStore()
{
    rows_.clear();
    columns_ = 0;
    totalParams_ = totalMacs_ = 0;
    const auto& measured = store().sensitivity();
    if (!measured) {
        caption_->setText(
            tr("Not measured yet: Run → Measure sensitivity now (Ctrl+Shift+M), before Start or "
               "during a run"));
        return;
    }
    // The kept bits of the scheme on screen (the run's latest, else the setup's start), by layer name.
    const auto& scheme = store().latest() ? store().latest() : store().plannedStart();
    for (const auto& layer : measured->layers) {
        Row row;
        row.name = QString::fromStdString(layer.name);
        row.params = layer.params;
        row.macs = layer.macs;
        row.held = layer.held;
        if (scheme)
            for (const auto& s : scheme->layers)
                if (s.name == layer.name) row.kept = s.bits();
        row.loss = QVector<double>(layer.lossAdded.begin(), layer.lossAdded.end());
        row.drop = QVector<double>(layer.accuracyDrop.begin(), layer.accuracyDrop.end());
        columns_ = std::max(columns_, std::max(layer.maxBits, static_cast<int>(row.loss.size())));
        totalParams_ += layer.params;
        totalMacs_ += layer.macs;
        rows_.append(row);
    }
    for (auto& row : rows_) {
        row.loss.resize(columns_, kNaN);
        row.drop.resize(columns_, kNaN);
    }
    caption_->setText(tr("measured at epoch %1 on %2 images · as it stood: %3 nats, %4 %")
                          .arg(measured->epoch, 0, 'f', 2)
                          .arg(measured->images)
                          .arg(measured->referenceLoss, 0, 'f', 4)
                          .arg(measured->referenceAccuracy, 0, 'f', 2));
}

void SensitivityView::fillCells()
{
    auto& p = plot();
    auto xTicker = qSharedPointerCast<QCPAxisTickerText>(p.xAxis->ticker());
    xTicker->clear();
    for (int c = 0; c < columns_; ++c) xTicker->addTick(c, QString::number(c + 1));
    QStringList labels;
    auto shares = qSharedPointerCast<QCPAxisTickerText>(p.yAxis2->ticker());
    shares->clear();
    for (int r = 0; r < rowCount(); ++r) {
        const auto name = shortLayerName(rows_[r].name);
        labels << (rows_[r].held ? tr("%1 (held)").arg(name) : name);
        shares->addTick(r, shareLabel(r));
    }
    rowLabels_->setLabels(labels);
    p.xAxis->setRange(-0.5, std::max(columns_, 1) - 0.5);

    auto* cells = map_->data();
    cells->setSize(std::max(columns_, 1), std::max(rowCount(), 1));
    cells->setRange(QCPRange(0, std::max(columns_ - 1, 0)), QCPRange(0, std::max(rowCount() - 1, 0)));
    if (rows_.isEmpty()) cells->fill(kNaN);
    double top = 1.0;
    QVector<double> keys, values;
    for (int r = 0; r < rowCount(); ++r) {
        const auto& row = rows_[r];
        for (int c = 0; c < columns_; ++c) {
            const double loss = row.loss[c];
            cells->setCell(c, r, std::isnan(loss) ? kNaN : std::max(loss, kFloorNats));
            if (!std::isnan(loss)) top = std::max(top, loss);
        }
        if (row.kept >= 1 && row.kept <= columns_ && !row.held) {
            keys.append(row.kept - 1);
            values.append(r);
        }
    }
    keptMarks_->setData(keys, values, true);
    map_->setDataRange(QCPRange(kFloorNats, top));
}

void SensitivityView::rebuild()
{
    readStore();
    fillCells();
}

QString SensitivityView::rowLabel(int row) const
{
    if (row < 0 || row >= rowCount()) return {};
    return rows_[row].held ? tr("%1 (held)").arg(rows_[row].name) : rows_[row].name;
}

QString SensitivityView::shareLabel(int row) const
{
    if (row < 0 || row >= rowCount()) return {};
    const auto& r = rows_[row];
    return tr("w %1 % · MAC %2 %")
        .arg(percentOf(r.params, totalParams_), 0, 'f', 1)
        .arg(percentOf(r.macs, totalMacs_), 0, 'f', 1);
}

double SensitivityView::lossAdded(int row, int column) const
{
    if (row < 0 || row >= rowCount() || column < 0 || column >= columns_) return kNaN;
    return rows_[row].loss[column];
}

int SensitivityView::keptBits(int row) const
{
    return row >= 0 && row < rowCount() ? rows_[row].kept : -1;
}

int SensitivityView::keptMarkerCount() const
{
    return keptMarks_->dataCount();
}

QString SensitivityView::caption() const
{
    return caption_->text();
}

QString SensitivityView::cellToolTip(int row, int column) const
{
    const double loss = lossAdded(row, column);
    if (std::isnan(loss)) return row >= 0 && row < rowCount() && rows_[row].held ? rowLabel(row) : QString();
    const auto& r = rows_[row];
    const double drop = r.drop[column];
    auto bits = [this](int k) { return k == 1 ? tr("1 bit") : tr("%1 bits").arg(k); };
    return tr("<b>%1</b> at %2 adds %3 nats (%4 pt)<br>%5%6")
        .arg(r.name.toHtmlEscaped(), bits(column + 1))
        .arg(loss, 0, 'f', 4)
        .arg(drop == 0 ? 0.0 : -drop, 0, 'f', 2)
        .arg(shareLabel(row), r.kept > 0 ? tr("<br>keeps %1 now").arg(bits(r.kept)) : QString());
}

void SensitivityView::showHover(QMouseEvent* event)
{
    showCellToolTip(plot(), event, [this](int row, int column) { return cellToolTip(row, column); });
}

QString SensitivityView::exportTo(const QString& path, QSize size)
{
    if (QFileInfo(path).suffix().compare(u"csv", Qt::CaseInsensitive) == 0) return exportCsv(path);
    return PlotPanel::exportTo(path, size);
}

QString SensitivityView::exportCsv(const QString& path)
{
    const auto& measured = store().sensitivity();
    if (!measured) return tr("no sensitivity measured yet: Run → Measure sensitivity now");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return tr("%1: %2").arg(path, file.errorString());
    file.write(QByteArray::fromStdString(csq::sensitivityCsv(*measured)));
    return file.commit() ? QString() : tr("%1: %2").arg(path, file.errorString());
}

}  // namespace csq::ui
