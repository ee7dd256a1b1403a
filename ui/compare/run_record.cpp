#include "compare/run_record.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "csq/errors.h"
#include "csq/run_directory.h"

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
    return QFileInfo(QDir(directory).filePath(QString::fromLatin1(csq::run_files::kSummary))).isFile();
}

RunRecord RunRecord::load(const QString& runDirectory)
{
    const QDir dir(runDirectory);
    RunRecord record;
    record.result = csq::readRunResult(QDir::cleanPath(dir.absolutePath()).toStdString());
    const auto scheme = dir.filePath(QString::fromLatin1(csq::run_files::kScheme));
    const auto summary = dir.filePath(QString::fromLatin1(csq::run_files::kSummary));
    const auto& source = QFileInfo(scheme).isFile() ? scheme : summary;
    record.layers = csq::schemeLayersFromJson(readFile(source).toStdString(), source.toStdString());
    try {
        record.metrics = MetricsCsv::read(dir.filePath(QString::fromLatin1(csq::run_files::kMetrics)));
    } catch (const std::exception& e) {
        record.metricsError = QString::fromStdString(e.what());
    }
    return record;
}

}  // namespace csq::ui
