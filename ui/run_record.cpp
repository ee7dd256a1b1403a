#include "run_record.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "csq/errors.h"

namespace csq::ui {

namespace {

[[noreturn]] void fail(const QString& where, const QString& what)
{
    throw csq::Error(where.toStdString(), what.toStdString());
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) fail(path, QStringLiteral("cannot be read: %1").arg(file.errorString()));
    return file.readAll();
}

}  // namespace

bool RunRecord::isRunDirectory(const QString& directory)
{
    return QFileInfo(QDir(directory).filePath(QStringLiteral("summary.json"))).isFile();
}

std::vector<csq::LayerScheme> RunRecord::layersFromJson(const QByteArray& json, const QString& source)
{
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        fail(source, QStringLiteral("cannot be parsed: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject() || !doc.object().value(QStringLiteral("layers")).isArray())
        fail(source, QStringLiteral("expected a JSON object with a \"layers\" array"));
    std::vector<csq::LayerScheme> layers;
    for (const auto& item : doc.object().value(QStringLiteral("layers")).toArray()) {
        const auto o = item.toObject();
        if (!o.value(QStringLiteral("name")).isString() || !o.value(QStringLiteral("kept")).isArray())
            fail(source, QStringLiteral("layer %1 has no name or kept bits").arg(layers.size()));
        csq::LayerScheme layer;
        layer.name = o.value(QStringLiteral("name")).toString().toStdString();
        layer.params = o.value(QStringLiteral("params")).toInteger();
        for (const auto& k : o.value(QStringLiteral("kept")).toArray()) layer.kept.push_back(k.toInt() != 0);
        layer.maxBits = o.value(QStringLiteral("max_bits")).toInt(static_cast<int>(layer.kept.size()));
        layer.kept.resize(static_cast<size_t>(std::max(layer.maxBits, 0)), false);
        layer.searchable = o.value(QStringLiteral("searchable")).toBool(true);
        layers.push_back(std::move(layer));
    }
    return layers;
}

RunRecord RunRecord::load(const QString& runDirectory)
{
    const QDir dir(runDirectory);
    RunRecord record;
    record.result = csq::readRunResult(QDir::cleanPath(dir.absolutePath()).toStdString());
    const auto scheme = dir.filePath(QStringLiteral("scheme.json"));
    const auto summary = dir.filePath(QStringLiteral("summary.json"));
    const auto& source = QFileInfo(scheme).isFile() ? scheme : summary;
    record.layers = layersFromJson(readFile(source), source);
    try {
        record.metrics = MetricsCsv::read(dir.filePath(QStringLiteral("metrics.csv")));
    } catch (const std::exception& e) {
        record.metricsError = QString::fromStdString(e.what());
    }
    return record;
}

}  // namespace csq::ui
