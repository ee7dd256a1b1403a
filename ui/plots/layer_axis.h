#pragma once
// Layer names along a plot axis that stay readable for a model of 50+ layers: long qualified names
// shortened ("features.13.conv.1.0" -> "f.13.conv.1.0"; the full name is in the tooltips), and one
// label every k layers where more would overlap at the axis's length and zoom, chosen again before
// every replot. The axis can be zoomed and dragged along its layers (the wheel and the mouse), so any
// layer's label can be brought into view; a model with few layers labels every one.
#include <functional>

#include <QObject>
#include <QString>
#include <QStringList>

class QCPAxis;
class QCustomPlot;
class QMouseEvent;

namespace csq {
struct LayerScheme;
}

namespace csq::ui {

// `name` when short; else every word but the last shortened to its first letter (digits kept):
// "features.13.conv.1.0" -> "f.13.conv.1.0", "layer3.2.conv1" stays.
QString shortLayerName(const QString& name, int maxChars = 16);

// What a layer is, for tooltips: "Conv2d, weight [96, 1, 3, 3], depthwise (groups 96)" ("" if unknown).
QString layerDescription(const csq::LayerScheme& layer);

// The tooltip of the grid cell under the mouse (rows on the y axis, columns on the x axis, one per unit),
// from `textOf(row, column)`; hidden outside the axis rect or where the text is empty.
void showCellToolTip(QCustomPlot& plot, QMouseEvent* event, const std::function<QString(int row, int column)>& textOf);

class LayerAxisLabels : public QObject {
    Q_OBJECT
public:
    // `axis` gets a text ticker; `scrollable`: its range can be zoomed and dragged, within the layers.
    LayerAxisLabels(QCPAxis* axis, bool scrollable);

    // The labels, one per layer at coordinate 0, 1, ... Keeps the zoom when the count is unchanged.
    void setLabels(const QStringList& labels);
    // One label every `step()` layers, as the last replot drew them.
    int step() const { return step_; }
    // Shows every layer again.
    void showAll();

private:
    void relabel();
    void clampRange();

    QCPAxis* axis_;
    QStringList labels_;
    int step_ = 1;
};

}  // namespace csq::ui
