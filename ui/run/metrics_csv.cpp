#include "run/metrics_csv.h"

#include <cmath>
#include <limits>

#include <QFile>

#include "csq/metrics_columns.h"
#include "csq/errors.h"

namespace csq::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const QString& where, const QString& what)
{
    throw csq::Error(where.toStdString(), what.toStdString(), "expected the metrics.csv csq-train writes");
}

}  // namespace

MetricsCsv MetricsCsv::read(const QString& path)
{
    MetricsCsv csv;
    csv.extend(path);
    if (!csv.headerRead_) fail(path, QStringLiteral("the file is empty"));
    return csv;
}

bool MetricsCsv::extend(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) fail(path, QStringLiteral("cannot be read: %1").arg(file.errorString()));
    // The file must still hold what was read, ending with the same last line.
    const qint64 lastStart = bytesRead_ - lastLine_.size();
    if (file.size() < bytesRead_ || !file.seek(lastStart) || file.read(lastLine_.size()) != lastLine_) return false;
    const QByteArray added = file.readAll();
    const qsizetype end = added.lastIndexOf('\n') + 1;  // whole lines only
    if (end == 0) return true;
    const qsizetype lastFrom = end >= 2 ? added.lastIndexOf('\n', end - 2) + 1 : 0;
    const auto rowsBefore = rows_.size();
    try {
        parseLines(QString::fromUtf8(added.left(end)), path, linesRead_);
    } catch (...) {
        rows_.resize(rowsBefore);  // all or nothing: the rows read before stay as they were
        throw;
    }
    linesRead_ += static_cast<int>(added.left(end).count('\n'));
    bytesRead_ += end;
    lastLine_ = added.mid(lastFrom, end - lastFrom);
    return true;
}

MetricsCsv MetricsCsv::parse(const QString& text, const QString& source)
{
    MetricsCsv csv;
    csv.parseLines(text, source, 0);
    if (!csv.headerRead_) fail(source, QStringLiteral("the file is empty"));
    return csv;
}

void MetricsCsv::parseLines(const QString& text, const QString& source, int firstLine)
{
    const auto lines = text.split(u'\n');
    int lineNumber = firstLine;
    for (auto line : lines) {
        ++lineNumber;
        if (line.endsWith(u'\r')) line.chop(1);
        if (line.trimmed().isEmpty()) continue;
        const auto cells = line.split(u',');
        if (!headerRead_) {
            for (int c = 0; c < cells.size(); ++c) columns_.insert(cells[c].trimmed(), c);
            if (!columns_.contains(QLatin1String(csq::metrics_column::kKind)) ||
                !columns_.contains(QLatin1String(csq::metrics_column::kT)))
                fail(source, QStringLiteral("the header has no \"kind\" and \"t\" columns"));
            headerRead_ = true;
            continue;
        }
        Row row;
        const auto kind = cells.value(columns_.value(QLatin1String(csq::metrics_column::kKind)));
        if (kind == u"step")
            row.kind = Kind::Step;
        else if (kind == u"epoch")
            row.kind = Kind::Epoch;
        else
            continue;  // a kind of row this reader does not know: not ours to draw
        row.cells.fill(kNaN, static_cast<int>(columns_.size()));
        for (int c = 0; c < cells.size() && c < row.cells.size(); ++c) {
            if (cells[c].isEmpty() || c == columns_.value(QLatin1String(csq::metrics_column::kKind))) continue;
            bool ok = false;
            const double v = cells[c].toDouble(&ok);
            if (ok)
                row.cells[c] = v;
            else
                row.text.insert(c, cells[c]);  // the phase: NaN among the numbers, kept as text
        }
        if (std::isnan(row.cells.value(columns_.value(QLatin1String(csq::metrics_column::kT)), kNaN)))
            fail(QStringLiteral("%1:%2").arg(source).arg(lineNumber), QStringLiteral("the row has no epoch time t"));
        rows_.append(row);
    }
}

int MetricsCsv::rowCount(Kind kind) const
{
    int n = 0;
    for (const auto& row : rows_) n += row.kind == kind;
    return n;
}

double MetricsCsv::number(int row, const QString& column) const
{
    const auto it = columns_.constFind(column);
    return it == columns_.constEnd() ? kNaN : rows_[row].cells.value(*it, kNaN);
}

QString MetricsCsv::text(int row, const QString& column) const
{
    const auto it = columns_.constFind(column);
    return it == columns_.constEnd() ? QString() : rows_[row].text.value(*it);
}

MetricsCsv::Series MetricsCsv::series(const QString& column, Kind kind) const
{
    Series out;
    const auto it = columns_.constFind(column);
    if (it == columns_.constEnd()) return out;
    const int t = columns_.value(QLatin1String(csq::metrics_column::kT));
    for (const auto& row : rows_) {
        if (row.kind != kind || std::isnan(row.cells[*it])) continue;
        out.t.append(row.cells[t]);
        out.values.append(row.cells[*it]);
    }
    return out;
}

}  // namespace csq::ui
