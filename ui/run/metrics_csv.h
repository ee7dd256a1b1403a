#pragma once
// A run directory's metrics.csv read back for plotting (MetricsStore only holds live snapshots): the
// header names the columns, rows are of kind "step" (every logged batch) or "epoch" (every epoch's
// end); an empty cell reads as NaN, so each curve keeps only the rows that carry its column. Text cells
// (the phase) are kept apart, for readers that replay the rows one by one.
#include <QHash>
#include <QList>
#include <QString>
#include <QVector>

namespace csq::ui {

class MetricsCsv {
public:
    enum class Kind { Step, Epoch };

    struct Series {
        QVector<double> t, values;
    };

    // Reads the file's whole lines (a line still being appended waits for the next read); throws
    // csq::Error naming the file (and line) when it is missing or malformed.
    static MetricsCsv read(const QString& path);
    // Reads only what was appended to the file read last (a run appends its rows): true when the file
    // still begins with what was read, false (nothing changed) when it was rewritten: read it again.
    bool extend(const QString& path);
    // Parses text as metrics.csv (source names it in messages).
    static MetricsCsv parse(const QString& text, const QString& source);

    int rowCount(Kind kind) const;
    // Every row, step and epoch rows interleaved in file order.
    int rowCount() const { return static_cast<int>(rows_.size()); }
    Kind kind(int row) const { return rows_[row].kind; }
    // The number in a row's column; NaN when the cell is empty or text, or there is no such column.
    double number(int row, const QString& column) const;
    // A text cell ("search" in the phase column); "" when the cell is a number, empty or absent.
    QString text(int row, const QString& column) const;
    // (t, column) of every row of `kind` whose cell in `column` holds a number, in file order.
    Series series(const QString& column, Kind kind) const;

private:
    struct Row {
        Kind kind = Kind::Step;
        QVector<double> cells;     // by column index; NaN where empty or text
        QHash<int, QString> text;  // the text cells by column index (the phase)
    };

    void parseLines(const QString& text, const QString& source, int firstLine);

    QHash<QString, int> columns_;
    QList<Row> rows_;
    bool headerRead_ = false;
    int linesRead_ = 0;
    qint64 bytesRead_ = 0;  // of the file read: its whole lines, the last one being lastLine_
    QByteArray lastLine_;
};

}  // namespace csq::ui
