// GateHeatmapView: a synthetic snapshot of 3 layers × 8 bits shows as 3 named rows × 8 columns
// (MSB first) with every value in [0, 1] and kept bits marked; the tooltip names the cell; the
// PNG, SVG, PDF and CSV exports are valid files of their formats, the CSV with layers × bits cells.
#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "plots/gate_heatmap_view.h"
#include "plots/layer_axis.h"
#include "plots/qcustomplot_include.h"
#include "run/metrics_store.h"
#include "tst_gui_support.h"

using namespace csq::ui;

class TestGateHeatmapView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rowsAreLayersColumnsAreBits();
    void valuesAreTheGatesInUnitRange();
    void keptBitsAreMarked();
    void tooltipDescribesTheCell();
    void followsNewSnapshots();
    void exportsImages();
    void exportsCsvOfLayersByBits();
    void emptyViewRefusesCsv();
    void manyLayersKeepLabelsApart();
    void longNamesAreShortened();
};

void TestGateHeatmapView::rowsAreLayersColumnsAreBits()
{
    MetricsStore store;
    GateHeatmapView view(store);
    QCOMPARE(view.rowCount(), 0);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    view.refreshNow();
    QCOMPARE(view.rowCount(), 3);
    QCOMPARE(view.columnCount(), 8);
    for (int r = 0; r < 3; ++r) QCOMPARE(view.rowLabel(r), QString::fromStdString(s.layers[r].name));
    QCOMPARE(view.bitOfColumn(0), 7);  // MSB on the left
    QCOMPARE(view.bitOfColumn(7), 0);
}

void TestGateHeatmapView::valuesAreTheGatesInUnitRange()
{
    MetricsStore store;
    GateHeatmapView view(store);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    view.refreshNow();
    for (int r = 0; r < view.rowCount(); ++r)
        for (int c = 0; c < view.columnCount(); ++c) {
            const double shown = view.displayedValue(r, c);
            QVERIFY2(shown >= 0 && shown <= 1, qPrintable(QStringLiteral("cell %1,%2 = %3").arg(r).arg(c).arg(shown)));
            const int bit = view.bitOfColumn(c);
            QCOMPARE(shown, s.gates[r][bit]);  // column c shows bit N-1-c of layer r
            QCOMPARE(view.gate(r, c), s.gates[r][bit]);
        }
}

void TestGateHeatmapView::keptBitsAreMarked()
{
    MetricsStore store;
    GateHeatmapView view(store);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    view.refreshNow();
    int kept = 0;
    for (int r = 0; r < 3; ++r)
        for (int b = 0; b < 8; ++b) {
            kept += s.layers[r].kept[b];
            QCOMPARE(view.kept(r, view.columnCount() - 1 - b), static_cast<bool>(s.layers[r].kept[b]));
        }
    QVERIFY(kept > 0 && kept < 24);  // the fixture has both kinds
    QCOMPARE(view.keptMarkerCount(), kept);
}

void TestGateHeatmapView::tooltipDescribesTheCell()
{
    MetricsStore store;
    GateHeatmapView view(store);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    view.refreshNow();
    const auto tip = view.cellToolTip(1, 0);  // layer 1, MSB
    QVERIFY(tip.contains(QString::fromStdString(s.layers[1].name)));
    QVERIFY(tip.contains(QStringLiteral("b7")));
    QVERIFY(tip.contains(QString::number(s.gates[1][7], 'f', 4)));
    QVERIFY(tip.contains(QString::number(s.maskLogits[1][7], 'f', 3)));
    QVERIFY(tip.contains(QLocale().toString(static_cast<qint64>(s.layers[1].params))));
    QVERIFY(view.cellToolTip(3, 0).isEmpty());
    QVERIFY(view.cellToolTip(0, 8).isEmpty());
}

void TestGateHeatmapView::followsNewSnapshots()
{
    MetricsStore store;
    GateHeatmapView view(store);
    store.addSnapshot(testing::syntheticSnapshot(3, 8));
    view.refreshNow();
    auto next = testing::syntheticSnapshot(5, 4, 1.0);
    next.gates[0][3] = 0.0125;
    store.addSnapshot(next);
    view.refreshNow();
    QCOMPARE(view.rowCount(), 5);
    QCOMPARE(view.columnCount(), 4);
    QCOMPARE(view.displayedValue(0, 0), 0.0125);
}

void TestGateHeatmapView::exportsImages()
{
    MetricsStore store;
    GateHeatmapView view(store);
    store.addSnapshot(testing::syntheticSnapshot(3, 8));
    QTemporaryDir dir;
    for (const char* suffix : {"png", "svg", "pdf"}) {
        const auto path = dir.filePath(QStringLiteral("heatmap.%1").arg(QLatin1String(suffix)));
        QCOMPARE(view.exportTo(path), QString());
    }
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("heatmap.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("heatmap.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("heatmap.pdf"))));
    QVERIFY(QImage(dir.filePath(QStringLiteral("heatmap.png"))).width() > 100);
}

void TestGateHeatmapView::exportsCsvOfLayersByBits()
{
    MetricsStore store;
    GateHeatmapView view(store);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("heatmap.csv"));
    QCOMPARE(view.exportTo(path), QString());
    const auto rows = testing::readCsv(path);
    QCOMPARE(rows.size(), 1 + 3);  // header + one row per layer
    const auto& header = rows.first();
    QCOMPARE(header.mid(0, 4), (QStringList{"layer", "params", "searchable", "kept_bits"}));
    QCOMPARE(header.size(), 4 + 8);
    QCOMPARE(header[4], QStringLiteral("b7"));
    QCOMPARE(header.last(), QStringLiteral("b0"));
    for (int r = 0; r < 3; ++r) {
        const auto& row = rows[r + 1];
        QCOMPARE(row.size(), header.size());
        QCOMPARE(row[0], QString::fromStdString(s.layers[r].name));
        QCOMPARE(row[1].toLongLong(), s.layers[r].params);
        QCOMPARE(row[3].toInt(), s.layers[r].bits());
        for (int c = 0; c < 8; ++c) {
            bool ok = false;
            const double g = row[4 + c].toDouble(&ok);
            QVERIFY(ok);
            QVERIFY(g >= 0 && g <= 1);
            QVERIFY(std::abs(g - s.gates[r][7 - c]) < 1e-6);
        }
    }
}

void TestGateHeatmapView::emptyViewRefusesCsv()
{
    MetricsStore store;
    GateHeatmapView view(store);
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("heatmap.csv"));
    QVERIFY(!view.exportTo(path).isEmpty());
    QVERIFY(!QFile::exists(path));
}

// MobileNetV2's 53 layers in a pane of ordinary height: labels every k-th row, never overlapping; zoomed in
// along the layers every row is labelled; the tooltip says what the layer is.
void TestGateHeatmapView::manyLayersKeepLabelsApart()
{
    MetricsStore store;
    GateHeatmapView view(store);
    view.resize(520, 380);
    view.show();
    auto s = testing::syntheticSnapshot(53, 8);
    for (size_t l = 0; l < s.layers.size(); ++l) {
        auto& layer = s.layers[l];
        layer.name = "features." + std::to_string(l / 3) + ".conv." + std::to_string(l % 3) + ".0";
        layer.type = "Conv2d";
        layer.shape = {96, 1, 3, 3};
        layer.groups = 96;
    }
    store.addSnapshot(s);
    view.refreshNow();
    auto& plot = view.plot();
    plot.replot();
    plot.replot();  // the second sees the laid-out axis rect
    const auto* axis = plot.yAxis;
    const auto ticks = qSharedPointerCast<QCPAxisTickerText>(axis->ticker())->ticks();
    const double line = QFontMetricsF(axis->tickLabelFont()).height();
    const double perRow = axis->axisRect()->height() / axis->range().size();
    QVERIFY2(view.labelStep() > 1, qPrintable(QStringLiteral("%1 px per row").arg(perRow)));
    QVERIFY2(view.labelStep() * perRow >= line, "neighbouring labels would overlap");
    QCOMPARE(ticks.size(), (53 + view.labelStep() - 1) / view.labelStep());
    QCOMPARE(ticks.value(0), QStringLiteral("f.0.conv.0.0"));  // shortened; the row keeps the full name
    QCOMPARE(view.rowLabel(0), QStringLiteral("features.0.conv.0.0"));
    plot.yAxis->setRange(9.5, 14.5);  // zoomed in on five rows, as the wheel does
    plot.replot();
    QCOMPARE(view.labelStep(), 1);
    plot.yAxis->setRange(-40, 200);  // dragged past the ends: held within the layers
    QVERIFY(plot.yAxis->range().lower >= -0.5 && plot.yAxis->range().upper <= 52.5);
    const auto tip = view.cellToolTip(4, 0);
    QVERIFY2(tip.contains(QStringLiteral("features.1.conv.1.0")) &&
                 tip.contains(QStringLiteral("Conv2d, weight [96, 1, 3, 3]")) &&
                 tip.contains(QStringLiteral("depthwise (groups 96)")),
             qPrintable(tip));
    // A new snapshot of the same layers keeps the user's zoom.
    plot.yAxis->setRange(19.5, 29.5);
    store.addSnapshot(testing::syntheticSnapshot(53, 8, 0.7));
    view.refreshNow();
    QCOMPARE(plot.yAxis->range().lower, 19.5);
}

void TestGateHeatmapView::longNamesAreShortened()
{
    QCOMPARE(shortLayerName(QStringLiteral("features.13.conv.1.0")), QStringLiteral("f.13.conv.1.0"));
    QCOMPARE(shortLayerName(QStringLiteral("stage2.0.branch2.3")), QStringLiteral("s2.0.branch2.3"));
    QCOMPARE(shortLayerName(QStringLiteral("layer3.2.conv1")), QStringLiteral("layer3.2.conv1"));  // short: whole
    QCOMPARE(shortLayerName(QStringLiteral("classifier.1")), QStringLiteral("classifier.1"));
    QCOMPARE(shortLayerName(QStringLiteral("blocks.10.attention.projection")), QStringLiteral("b.10.a.projection"));
}

QTEST_MAIN(TestGateHeatmapView)
#include "tst_gui_gate_heatmap_view.moc"
