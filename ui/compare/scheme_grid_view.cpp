#include "compare/scheme_grid_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QFileInfo>
#include <QSaveFile>
#include <QToolTip>

#include "plots/csv_field.h"
#include "plots/layer_axis.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString keptWord(double v)
{
    return std::isnan(v) ? QObject::tr("no such bit") : v > 0.5 ? QObject::tr("kept") : QObject::tr("dropped");
}

// A legend entry without data: a filled square (or a dot) in the cell colour.
QCPGraph* legendEntry(QCPAxisRect* rect, QCPLegend* legend, const QString& name, const QCPScatterStyle& style)
{
    auto* g = rect->parentPlot()->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    g->setName(name);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(style);
    g->addToLegend(legend);
    return g;
}

}  // namespace

SchemeGridView::SchemeGridView(QWidget* parent) : ResultPlot(tr("Scheme comparison"), parent)
{
    plot().setAutoAddPlottableToLegend(false);
    plot().setMouseTracking(true);
    connect(&plot(), &QCustomPlot::mouseMove, this, &SchemeGridView::showHover);
    setToolTip(
        tr("Rows: quantized layers (matched by name). Columns: bits, most significant first. Hover a cell "
           "for details; right-click to export."));
    rebuild();
}

QString SchemeGridView::exportName() const
{
    switch (mode_) {
        case Mode::Single:
            return QStringLiteral("scheme");
        case Mode::SideBySide:
            return QStringLiteral("schemes-side-by-side");
        case Mode::Difference:
            return QStringLiteral("scheme-difference");
    }
    return QStringLiteral("scheme");
}

void SchemeGridView::load(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
                          const std::vector<csq::LayerScheme>* b)
{
    rows_.clear();
    columns_ = 0;
    auto addRows = [this](const std::vector<csq::LayerScheme>& layers) {
        for (const auto& l : layers) {
            const auto name = QString::fromStdString(l.name);
            if (!rows_.contains(name)) rows_.append(name);
            columns_ = std::max(columns_, l.maxBits);
        }
    };
    addRows(a);
    if (b) addRows(*b);
    auto keptOf = [this](const QString& name, const std::vector<csq::LayerScheme>* layers) {
        Side side{name, {}};
        for (const auto& row : rows_) {
            QVector<double> cells(columns_, kNaN);
            if (layers) {
                const auto it = std::find_if(layers->begin(), layers->end(), [&](const csq::LayerScheme& l) {
                    return QString::fromStdString(l.name) == row;
                });
                if (it != layers->end())
                    for (int bit = 0; bit < it->maxBits && bit < columns_; ++bit)
                        cells[columns_ - 1 - bit] =
                            bit < static_cast<int>(it->kept.size()) && it->kept[bit] ? 1.0 : 0.0;
            }
            side.kept.append(cells);
        }
        return side;
    };
    a_ = keptOf(nameA, &a);
    b_ = keptOf(nameB, b);
}

void SchemeGridView::showScheme(const QString& name, const std::vector<csq::LayerScheme>& layers)
{
    mode_ = Mode::Single;
    load(name, layers, {}, nullptr);
    grids_ = {Grid{name, a_.kept, {}, nullptr}};
    rebuild();
}

void SchemeGridView::showSideBySide(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
                                    const std::vector<csq::LayerScheme>& b)
{
    mode_ = Mode::SideBySide;
    load(nameA, a, nameB, &b);
    grids_ = {Grid{tr("A: %1").arg(nameA), a_.kept, {}, nullptr}, Grid{tr("B: %1").arg(nameB), b_.kept, {}, nullptr}};
    rebuild();
}

void SchemeGridView::showDifference(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
                                    const std::vector<csq::LayerScheme>& b)
{
    mode_ = Mode::Difference;
    load(nameA, a, nameB, &b);
    Grid grid{tr("A − B: %1 − %2").arg(nameA, nameB), {}, {}, nullptr};
    for (int r = 0; r < rowCount(); ++r) {
        QVector<double> cells(columns_, kNaN);
        QVector<bool> both(columns_, false);
        for (int c = 0; c < columns_; ++c) {
            const double ka = a_.kept[r][c], kb = b_.kept[r][c];
            if (std::isnan(ka) || std::isnan(kb)) continue;
            cells[c] = ka - kb;  // +1 only A keeps the bit, −1 only B, 0 the same
            both[c] = ka > 0.5 && kb > 0.5;
        }
        grid.cells.append(cells);
        grid.both.append(both);
    }
    grids_ = {grid};
    rebuild();
}

void SchemeGridView::clear()
{
    mode_ = Mode::Single;
    rows_.clear();
    columns_ = 0;
    a_ = b_ = {};
    grids_.clear();
    rebuild();
}

void SchemeGridView::applyPalette()
{
    rebuild();  // every colour is set when the grids are built
}

SchemeGridView::Colors SchemeGridView::colors() const
{
    const bool dark = darkPalette();
    return {palette().color(QPalette::WindowText),
            dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1f, 0x6f, 0xd1),
            dark ? QColor(0x3a, 0x3d, 0x42) : QColor(0xe3, 0xe3, 0xe3),
            dark ? QColor(0xff, 0x9e, 0x4a) : QColor(0xe6, 0x61, 0x00),
            dark ? QColor(0xb3, 0x9d, 0xdb) : QColor(0x5d, 0x3a, 0x9b),
            dark ? QColor(0x4a, 0x4d, 0x52) : QColor(0xd4, 0xd4, 0xd4)};
}

void SchemeGridView::rebuild()
{
    auto& p = plot();
    const auto c = colors();
    p.clearPlottables();
    p.clearItems();
    p.plotLayout()->clear();  // axis rects, their axes, the legend and the titles
    auto* top = new QCPLayoutGrid;
    p.plotLayout()->addElement(0, 0, top);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    if (mode_ == Mode::Difference) {
        gradient.setColorStopAt(0, c.onlyB);
        gradient.setColorStopAt(0.5, c.same);
        gradient.setColorStopAt(1, c.onlyA);
        gradient.setLevelCount(3);
    } else {
        gradient.setColorStopAt(0, c.dropped);
        gradient.setColorStopAt(1, c.kept);
        gradient.setLevelCount(2);
    }
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    for (int g = 0; g < gridCount(); ++g) addGrid(top, g, gradient, c);
    if (gridCount() > 0) {
        top->setRowStretchFactor(0, 0.001);
        addLegend(c);
    } else {
        legend_ = nullptr;
        top->addElement(0, 0, new QCPTextElement(&p, tr("Open runs and choose which to compare.")));
    }
    for (int i = 0; i < p.plotLayout()->elementCount(); ++i) {
        auto* grid = qobject_cast<QCPLayoutGrid*>(p.plotLayout()->elementAt(i));
        if (!grid) continue;
        for (int j = 0; j < grid->elementCount(); ++j)
            if (auto* title = qobject_cast<QCPTextElement*>(grid->elementAt(j))) title->setTextColor(c.text);
    }
    styleAllAxes();
    p.replot(QCustomPlot::rpQueuedReplot);
}

// Grid g in column g of `top`: its title, axes ticked with bits and layer names, the colour map, thin
// separators between cells and, in difference mode, a dot where both runs keep the bit.
void SchemeGridView::addGrid(QCPLayoutGrid* top, int g, const QCPColorGradient& gradient, const Colors& colors)
{
    auto& p = plot();
    const bool difference = mode_ == Mode::Difference;
    const int columns = std::max(columns_, 1), rows = std::max(rowCount(), 1);
    auto& grid = grids_[g];
    QFont titleFont = font();
    titleFont.setBold(true);
    top->addElement(0, g, new QCPTextElement(&p, grid.title, titleFont));
    grid.rect = new QCPAxisRect(&p);
    top->addElement(1, g, grid.rect);
    auto* x = grid.rect->axis(QCPAxis::atBottom);
    auto* y = grid.rect->axis(QCPAxis::atLeft);
    auto xTicker = QSharedPointer<QCPAxisTickerText>::create();
    for (int c = 0; c < columns_; ++c) xTicker->addTick(c, QStringLiteral("b%1").arg(bitOfColumn(c)));
    x->setTicker(xTicker);
    x->setLabel(tr("bit (MSB … LSB)"));
    QStringList labels;
    for (const auto& name : rows_) labels << shortLayerName(name);
    (new LayerAxisLabels(y, /*scrollable=*/true))->setLabels(labels);
    y->setTickLabels(g == 0);   // one set of layer names for side-by-side grids
    y->setRangeReversed(true);  // first layer on top, as in the network
    x->setRange(-0.5, columns - 0.5);
    if (g > 0) {  // side-by-side grids scroll together
        auto* first = grids_[0].rect->axis(QCPAxis::atLeft);
        connect(first, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), y,
                qOverload<const QCPRange&>(&QCPAxis::setRange));
        connect(y, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), first,
                qOverload<const QCPRange&>(&QCPAxis::setRange));
    }
    for (auto* axis : {x, y}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
    }
    auto* map = new QCPColorMap(x, y);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    map->setGradient(gradient);
    map->setDataRange(difference ? QCPRange(-1, 1) : QCPRange(0, 1));
    map->data()->setSize(columns, rows);
    map->data()->setRange(QCPRange(0, columns - 1), QCPRange(0, rows - 1));
    map->data()->fill(kNaN);
    QVector<double> bothX, bothY;
    for (int r = 0; r < rowCount(); ++r)
        for (int c = 0; c < columns_; ++c) {
            map->data()->setCell(c, r, grid.cells[r][c]);
            if (difference && grid.both[r][c]) {
                bothX.append(c);
                bothY.append(r);
            }
        }
    // Thin lines in the background colour between cells, so neighbouring kept bits stay countable.
    const QPen separator(palette().color(QPalette::Base), 1.5);
    auto addSeparator = [&](double x0, double y0, double x1, double y1) {
        auto* line = new QCPItemLine(&p);
        line->setClipAxisRect(grid.rect);
        line->setPen(separator);
        for (auto* end : {line->start, line->end}) end->setAxes(x, y);
        line->start->setCoords(x0, y0);
        line->end->setCoords(x1, y1);
    };
    for (int c = 1; c < columns_; ++c) addSeparator(c - 0.5, -0.5, c - 0.5, rows - 0.5);
    for (int r = 1; r < rowCount(); ++r) addSeparator(-0.5, r - 0.5, columns - 0.5, r - 0.5);
    if (difference) {
        auto* marks = p.addGraph(x, y);
        marks->setLineStyle(QCPGraph::lsNone);
        marks->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colors.text, 6));
        marks->setData(bothX, bothY, true);
    }
}

// The legend under the grids, centred at its own width between two empty stretching cells.
void SchemeGridView::addLegend(const Colors& colors)
{
    auto& p = plot();
    legend_ = new QCPLegend;
    auto* bottom = new QCPLayoutGrid;
    p.plotLayout()->addElement(1, 0, bottom);
    bottom->setMargins(QMargins(5, 0, 5, 5));
    bottom->addElement(0, 0, new QCPLayoutElement(&p));
    bottom->addElement(0, 1, legend_);
    bottom->addElement(0, 2, new QCPLayoutElement(&p));
    legend_->setFillOrder(QCPLegend::foColumnsFirst);
    legend_->setLayer(QStringLiteral("legend"));
    p.plotLayout()->setRowStretchFactor(1, 0.001);
    auto* rect = grids_.first().rect;
    const auto text = colors.text;
    const auto square = [text](QColor c) {
        return QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(text, 0.5), QBrush(c), 11);
    };
    if (mode_ == Mode::Difference) {
        legendEntry(rect, legend_, tr("+1 kept only in A (%1)").arg(a_.name), square(colors.onlyA));
        legendEntry(rect, legend_, tr("−1 kept only in B (%1)").arg(b_.name), square(colors.onlyB));
        legendEntry(rect, legend_, tr("0 the same"), square(colors.same));
        legendEntry(rect, legend_, tr("kept in both"), QCPScatterStyle(QCPScatterStyle::ssDisc, text, 6));
    } else {
        legendEntry(rect, legend_, tr("kept bit"), square(colors.kept));
        legendEntry(rect, legend_, tr("dropped bit"), square(colors.dropped));
    }
    legend_->setSizeConstraintRect(QCPLayoutElement::scrOuterRect);
    legend_->setMaximumSize(legend_->minimumOuterSizeHint());
    legend_->setBrush(palette().brush(QPalette::Base));
    legend_->setBorderPen(Qt::NoPen);
    legend_->setTextColor(text);
}

QString SchemeGridView::gridTitle(int grid) const
{
    return grid >= 0 && grid < gridCount() ? grids_[grid].title : QString();
}

double SchemeGridView::value(int grid, int row, int column) const
{
    if (grid < 0 || grid >= gridCount() || row < 0 || row >= rowCount() || column < 0 || column >= columns_)
        return kNaN;
    return grids_[grid].cells[row][column];
}

double SchemeGridView::displayedValue(int grid, int row, int column) const
{
    if (grid < 0 || grid >= gridCount() || !grids_[grid].rect) return kNaN;
    const auto plottables = grids_[grid].rect->plottables();
    for (auto* plottable : plottables)
        if (auto* map = qobject_cast<QCPColorMap*>(plottable)) return map->data()->cell(column, row);
    return kNaN;
}

QStringList SchemeGridView::legendNames() const
{
    QStringList names;
    if (!legend_) return names;
    for (int i = 0; i < legend_->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend_->item(i)))
            names.append(item->plottable()->name());
    return names;
}

QString SchemeGridView::cellToolTip(int grid, int row, int column) const
{
    const double v = value(grid, row, column);
    if (std::isnan(v)) return {};
    QString text =
        tr("<b>%1</b>, bit b%2 (weight 2<sup>%2</sup>)").arg(rows_[row].toHtmlEscaped()).arg(bitOfColumn(column));
    switch (mode_) {
        case Mode::Single:
            return text + tr("<br>%1: %2").arg(a_.name.toHtmlEscaped(), keptWord(v));
        case Mode::SideBySide:
            return text + tr("<br>%1: %2").arg((grid == 0 ? a_.name : b_.name).toHtmlEscaped(), keptWord(v));
        case Mode::Difference:
            return text + tr("<br>A %1: %2<br>B %3: %4<br>%5")
                              .arg(a_.name.toHtmlEscaped(), keptWord(a_.kept[row][column]), b_.name.toHtmlEscaped(),
                                   keptWord(b_.kept[row][column]),
                                   v > 0   ? tr("+1: only A keeps it")
                                   : v < 0 ? tr("−1: only B keeps it")
                                           : tr("0: the same in both"));
    }
    return text;
}

void SchemeGridView::showHover(QMouseEvent* event)
{
    const auto pos = event->position();
    QString text;
    for (int g = 0; g < gridCount(); ++g) {
        auto* rect = grids_[g].rect;
        if (!rect || !rect->rect().contains(pos.toPoint())) continue;
        const int column = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        const int row = static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        text = cellToolTip(g, row, column);
    }
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, &plot());
}

QString SchemeGridView::exportFilter() const
{
    return ResultPlot::exportFilter() + tr(";;CSV table (*.csv)");
}

QString SchemeGridView::exportTo(const QString& path, QSize size)
{
    if (QFileInfo(path).suffix().compare(u"csv", Qt::CaseInsensitive) == 0) return exportCsv(path);
    return ResultPlot::exportTo(path, size);
}

QString SchemeGridView::exportCsv(const QString& path) const
{
    if (grids_.isEmpty()) return tr("no scheme shown: choose runs first");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return tr("%1: %2").arg(path, file.errorString());
    QString out = QStringLiteral("grid,layer");
    for (int c = 0; c < columns_; ++c) out += QStringLiteral(",b%1").arg(bitOfColumn(c));
    out += u'\n';
    for (const auto& grid : grids_)
        for (int r = 0; r < rowCount(); ++r) {
            out += csvField(grid.title) + u',' + csvField(rows_[r]);
            for (double v : grid.cells[r]) out += u',' + (std::isnan(v) ? QString() : QString::number(v));
            out += u'\n';
        }
    file.write(out.toUtf8());
    return file.commit() ? QString() : tr("%1: %2").arg(path, file.errorString());
}

}  // namespace csq::ui
