#include "setup/dataset_inspector.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include <QDir>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLinearGradient>
#include <QLocale>
#include <QPixmap>
#include <QProgressBar>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "csq/dataset_preview.h"

namespace csq::ui {

namespace {

constexpr int kSampleSide = 56;  // shown size of a small image (28 x 28 doubled)
constexpr int kMaxSampleSide = 96;

QString formatName(const std::string& format)
{
    if (format == "idx") return QStringLiteral("IDX");
    if (format == "cifar10") return QStringLiteral("CIFAR-10");
    if (format == "cifar100") return QStringLiteral("CIFAR-100");
    if (format == "folder") return DatasetInspector::tr("image folders");
    return QString::fromStdString(format);
}

// [C, H, W] bytes as an image: gray for one channel, RGB for three (others show their first channel).
QImage sampleImage(const csq::DatasetPreview& preview, const csq::DatasetPreview::Sample& sample)
{
    const int h = preview.height, w = preview.width, c = preview.channels;
    const bool rgb = c == 3;
    if (c <= 0 || static_cast<qsizetype>(sample.pixels.size()) < qsizetype(c) * h * w) return {};
    QImage image(w, h, rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    const uint8_t* plane = sample.pixels.data();
    const qsizetype planeSize = qsizetype(h) * w;
    for (int y = 0; y < h; ++y) {
        uchar* line = image.scanLine(y);  // scan lines are padded to 4 bytes: copied row by row
        if (!rgb) {
            std::memcpy(line, plane + qsizetype(y) * w, static_cast<size_t>(w));
            continue;
        }
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < 3; ++k) line[3 * x + k] = plane[k * planeSize + qsizetype(y) * w + x];
    }
    return image;
}

// Small images grow by a whole factor with nearest-neighbour sampling (crisp pixels, no blur); large
// ones shrink smoothly.
QPixmap shownSample(const QImage& image)
{
    const int side = std::max(image.width(), image.height());
    if (side <= 0) return {};
    if (side > kMaxSampleSide)
        return QPixmap::fromImage(
            image.scaled(kMaxSampleSide, kMaxSampleSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    const int factor = std::max(1, (kSampleSide + side - 1) / side);
    return QPixmap::fromImage(image.scaled(image.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation));
}

// A count cell whose background is a bar as long as the count's share of the column's largest.
QTableWidgetItem* countItem(qint64 count, qint64 largest, const QColor& color)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, count);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    const double share = largest > 0 ? static_cast<double>(count) / static_cast<double>(largest) : 0.0;
    constexpr double kEdge = 1e-3;  // a hard edge: two stops this close look like a step
    if (share >= 1 - kEdge) {
        item->setBackground(color);
    } else if (share > 0) {
        QLinearGradient bar(0, 0, 1, 0);
        bar.setCoordinateMode(QGradient::ObjectMode);  // 0..1 spans the cell, whatever its width
        bar.setStops({{0, color}, {share, color}, {share + kEdge, Qt::transparent}, {1, Qt::transparent}});
        item->setBackground(QBrush(bar));
    }
    return item;
}

}  // namespace

DatasetInspector::DatasetInspector(QWidget* parent)
    : QWidget(parent),
      summary_(new QLabel(this)),
      shape_(new QLabel(this)),
      error_(new QLabel(this)),
      modelFit_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      table_(new QTableWidget(0, 3, this)),
      samples_(new QScrollArea(this))
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(6, 6, 6, 6);
    column->setSpacing(4);
    // The summary wraps in the column itself: a word-wrapped label beside another widget in a row
    // is not given the height its lines need.
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column->addWidget(summary_);
    auto* shapeRow = new QHBoxLayout;
    shapeRow->addWidget(shape_, 1);
    progress_->setRange(0, 0);  // busy, no percentage: a reader does not report its progress
    progress_->setMaximumWidth(90);
    progress_->setMaximumHeight(12);
    progress_->setTextVisible(false);
    progress_->setToolTip(tr("Reading the dataset…"));
    progress_->setVisible(false);
    shapeRow->addWidget(progress_);
    column->addLayout(shapeRow);
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    error_->setVisible(false);
    column->addWidget(error_);
    modelFit_->setWordWrap(true);
    modelFit_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    modelFit_->setStyleSheet(QStringLiteral("color: #b26a00;"));
    modelFit_->setVisible(false);
    column->addWidget(modelFit_);

    table_->setHorizontalHeaderLabels({tr("Class"), tr("Train"), tr("Test")});
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    // The count columns take the width: their bars are the chart.
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setSortingEnabled(false);
    table_->setToolTip(tr("Images of each class; the bars compare a class with the largest of its column."));
    samples_->setWidgetResizable(true);
    samples_->setFrameShape(QFrame::NoFrame);
    samples_->setToolTip(tr("The first %1 training images of each class, in file order.").arg(kSamplesPerClass));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(table_);
    split->addWidget(samples_);
    split->setStretchFactor(1, 2);
    column->addWidget(split, 1);

    summary_->setText(tr("No dataset chosen."));
    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, &DatasetInspector::sourceSettled);
    connect(&load_, &QFutureWatcher<Loaded>::finished, this, [this] { loaded(load_.result()); });
}

DatasetInspector::~DatasetInspector() = default;

void DatasetInspector::setSource(const QString& path, int imageSize, int imageChannels)
{
    const auto trimmed = path.trimmed();
    if (hasSource_ && trimmed == path_ && imageSize == imageSize_ && imageChannels == imageChannels_) return;
    hasSource_ = true;
    path_ = trimmed;
    imageSize_ = imageSize;
    imageChannels_ = imageChannels;
    stale_ = true;
    debounce_.start();
}

void DatasetInspector::sourceSettled()
{
    if (stale_ && isVisible()) reload();
}

void DatasetInspector::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (stale_ && hasSource_ && !debounce_.isActive()) reload();
}

void DatasetInspector::reload()
{
    debounce_.stop();
    stale_ = false;
    ++generation_;
    if (path_.isEmpty()) {
        // Nothing to read; a load in flight is superseded all the same.
        pending_ = false;
        clearShown();
        summary_->setText(tr("No dataset chosen."));
        Q_EMIT shown();
        return;
    }
    if (workerBusy_) {
        pending_ = true;  // started when the running load reports back; its result is dropped
        return;
    }
    launch();
}

void DatasetInspector::launch()
{
    setBusy(true);
    ++loadsStarted_;
    const auto generation = generation_;
    const auto path = path_.toStdString();
    const int imageSize = imageSize_, imageChannels = imageChannels_;
    const auto unreadable = tr("the dataset could not be read");
    summary_->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(path_).toHtmlEscaped()));
    load_.setFuture(QtConcurrent::run([generation, path, imageSize, imageChannels, unreadable] {
        Loaded out{generation, nullptr, {}};
        try {
            out.preview = std::make_shared<const csq::DatasetPreview>(
                csq::previewDataset(path, imageSize, imageChannels, kSamplesPerClass));
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = unreadable;
        }
        return out;
    }));
}

void DatasetInspector::loaded(const Loaded& result)
{
    if (pending_) {
        pending_ = false;
        launch();  // the newest request; this older result is not shown
        return;
    }
    setBusy(false);
    if (result.generation != generation_) return;  // superseded by an empty path
    if (result.preview)
        showPreview(*result.preview);
    else
        showError(result.error);
    Q_EMIT shown();
}

void DatasetInspector::setBusy(bool busy)
{
    workerBusy_ = busy;
    progress_->setVisible(busy);
}

void DatasetInspector::clearShown()
{
    table_->setRowCount(0);
    delete samples_->takeWidget();
    samplesShown_ = 0;
    shape_->clear();
    error_->clear();
    error_->setVisible(false);
}

void DatasetInspector::showError(const QString& error)
{
    clearShown();  // nothing of an earlier dataset may pass for this path's
    summary_->setText(tr("No dataset shown."));
    error_->setText(error);
    error_->setVisible(true);
}

void DatasetInspector::showPreview(const csq::DatasetPreview& p)
{
    error_->clear();
    error_->setVisible(false);
    const QLocale locale;
    const auto classes = static_cast<int>(p.classNames.size());
    summary_->setText(tr("<b>%1</b> (%2)<br>%3 training and %4 test images, %5")
                          .arg(QString::fromStdString(p.name).toHtmlEscaped(), formatName(p.format),
                               locale.toString(static_cast<qlonglong>(p.trainImages)),
                               locale.toString(static_cast<qlonglong>(p.testImages)),
                               classes == 1 ? tr("1 class") : tr("%1 classes").arg(classes)));
    shape_->setText(tr("Image shape (C × H × W): %1 × %2 × %3").arg(p.channels).arg(p.height).arg(p.width));
    fillTable(p);
    samples_->setWidget(buildSamples(p));
}

void DatasetInspector::fillTable(const csq::DatasetPreview& p)
{
    const auto rows = static_cast<int>(p.classNames.size());
    table_->setRowCount(rows);
    const auto largest = [](const std::vector<int64_t>& counts) {
        return counts.empty() ? int64_t{0} : *std::max_element(counts.begin(), counts.end());
    };
    const auto trainMax = largest(p.trainClassCounts), testMax = largest(p.testClassCounts);
    const QColor trainColor(0x1f, 0x6f, 0xd1, 70), testColor(0xe0, 0x8a, 0x1e, 70);
    for (int row = 0; row < rows; ++row) {
        const auto r = static_cast<size_t>(row);
        const qint64 train = r < p.trainClassCounts.size() ? p.trainClassCounts[r] : 0;
        const qint64 test = r < p.testClassCounts.size() ? p.testClassCounts[r] : 0;
        auto* name = new QTableWidgetItem(QString::fromStdString(p.classNames[r]));
        name->setToolTip(tr("class %1: %2 training, %3 test images").arg(row).arg(train).arg(test));
        table_->setItem(row, 0, name);
        table_->setItem(row, 1, countItem(train, trainMax, trainColor));
        table_->setItem(row, 2, countItem(test, testMax, testColor));
    }
}

QWidget* DatasetInspector::buildSamples(const csq::DatasetPreview& p)
{
    auto* grid = new QWidget;
    auto* layout = new QGridLayout(grid);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setHorizontalSpacing(3);
    layout->setVerticalSpacing(3);
    samplesShown_ = 0;
    int row = -1, lastClass = -1, col = 0;
    QString name;
    for (const auto& sample : p.samples) {
        if (sample.label != lastClass) {
            if (row + 1 >= kClassesShown) break;  // samples come grouped by class
            lastClass = sample.label;
            ++row;
            col = 1;
            name = static_cast<size_t>(sample.label) < p.classNames.size()
                       ? QString::fromStdString(p.classNames[static_cast<size_t>(sample.label)])
                       : QString::number(sample.label);
            auto* label = new QLabel(fontMetrics().elidedText(name, Qt::ElideRight, 90), grid);
            label->setToolTip(name);
            layout->addWidget(label, row, 0, Qt::AlignRight | Qt::AlignVCenter);
        }
        auto* image = new QLabel(grid);
        image->setPixmap(shownSample(sampleImage(p, sample)));
        image->setToolTip(tr("class %1, %2 × %3").arg(name).arg(p.width).arg(p.height));
        layout->addWidget(image, row, col++);
        ++samplesShown_;
    }
    if (static_cast<int>(p.classNames.size()) > kClassesShown && samplesShown_ > 0) {
        auto* more =
            new QLabel(tr("Samples of the first %1 of %2 classes.").arg(kClassesShown).arg(p.classNames.size()), grid);
        more->setEnabled(false);
        layout->addWidget(more, row + 1, 0, 1, kSamplesPerClass + 1);
    }
    layout->setRowStretch(row + 2, 1);
    layout->setColumnStretch(kSamplesPerClass + 1, 1);
    return grid;
}

void DatasetInspector::setModelFit(const QString& problem)
{
    modelFit_->setText(problem.isEmpty() ? QString() : tr("The model does not fit these images: %1").arg(problem));
    modelFit_->setVisible(!problem.isEmpty());
}

QString DatasetInspector::modelFitText() const
{
    return modelFit_->text();
}

QString DatasetInspector::summaryText() const
{
    return summary_->text();
}

QString DatasetInspector::shapeText() const
{
    return shape_->text();
}

QString DatasetInspector::errorText() const
{
    return error_->text();  // cleared whenever a preview is shown
}

int DatasetInspector::classRows() const
{
    return table_->rowCount();
}

QString DatasetInspector::className(int row) const
{
    const auto* item = table_->item(row, 0);
    return item ? item->text() : QString();
}

qint64 DatasetInspector::trainCount(int row) const
{
    const auto* item = table_->item(row, 1);
    return item ? item->data(Qt::DisplayRole).toLongLong() : -1;
}

qint64 DatasetInspector::testCount(int row) const
{
    const auto* item = table_->item(row, 2);
    return item ? item->data(Qt::DisplayRole).toLongLong() : -1;
}

}  // namespace csq::ui
