#pragma once
// Shared by the GUI tests (header only): synthetic snapshots and checks that an exported file is a
// valid file of its format (PNG and PDF signatures, SVG that parses and renders, CSV shape).
#include <algorithm>
#include <cmath>

#include <QFile>
#include <QStringList>
#include <QSvgRenderer>
#include <QXmlStreamReader>

#include "csq/snapshot.h"

namespace csq::ui::testing {

// `layers` quantized layers of `bits` max bits; gate of layer l, bit b = (b + 1) / (bits + 1) shifted
// by the layer, so every cell differs; bit b is kept when its gate is ≥ 0.5, as in the engine.
inline csq::Snapshot syntheticSnapshot(int layers = 3, int bits = 8, double t = 0.5, double target = 2.0)
{
    csq::Snapshot s;
    s.epoch = static_cast<int>(t);
    s.t = t;
    s.step = static_cast<int64_t>(t * 100);
    s.totalSteps = 1000;
    s.beta = 7.5;
    s.targetBits = target;
    s.lambda = 0.05;
    for (int l = 0; l < layers; ++l) {
        csq::LayerScheme layer;
        layer.name = l == 0 ? "features.0" : l == layers - 1 ? "classifier.4" : "features." + std::to_string(3 * l);
        layer.params = 1000 * (l + 1) * (l + 1);
        layer.maxBits = bits;
        std::vector<double> gates, logits;
        for (int b = 0; b < bits; ++b) {
            const double g = std::clamp((b + 1.0) / (bits + 1.0) + 0.1 * (l - 1), 0.0, 1.0);
            gates.push_back(g);
            logits.push_back(g <= 0 ? -10 : g >= 1 ? 10 : std::log(g / (1 - g)));
            layer.kept.push_back(g >= 0.5);
        }
        s.gates.push_back(gates);
        s.maskLogits.push_back(logits);
        s.layers.push_back(layer);
    }
    s.precision = csq::precisionOf(s.layers);
    s.ce = 1.0 / (1 + t);
    s.budgetLoss = 0.1 / (1 + t);
    s.trainAccuracy = 50 + 10 * t;
    return s;
}

inline QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline bool isPng(const QString& path)
{
    return readAll(path).startsWith(QByteArray("\x89PNG\r\n\x1a\n", 8));
}

inline bool isPdf(const QString& path)
{
    const auto data = readAll(path);
    return data.startsWith("%PDF-") && data.contains("%%EOF");
}

// Well-formed XML with an <svg> root that Qt's renderer accepts.
inline bool isSvg(const QString& path)
{
    const auto data = readAll(path);
    QXmlStreamReader xml(data);
    bool sawRoot = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && !sawRoot) {
            if (xml.name() != u"svg") return false;
            sawRoot = true;
        }
    }
    return sawRoot && !xml.hasError() && QSvgRenderer(data).isValid();
}

inline QList<QStringList> readCsv(const QString& path)
{
    QList<QStringList> rows;
    for (const auto& line : QString::fromUtf8(readAll(path)).split(u'\n', Qt::SkipEmptyParts))
        rows.append(line.split(u','));
    return rows;
}

}  // namespace csq::ui::testing
