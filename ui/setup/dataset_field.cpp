#include "setup/dataset_field.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QToolButton>
#include <QVBoxLayout>

#include "csq/dataset_preview.h"

namespace csq::ui {

namespace {

// The engine's format names as the field shows them.
QString displayName(const std::string& format)
{
    if (format == "idx") return QStringLiteral("IDX");
    if (format == "cifar10") return QStringLiteral("CIFAR-10");
    if (format == "cifar100") return QStringLiteral("CIFAR-100");
    if (format == "folder") return QStringLiteral("image folder");
    return QString::fromStdString(format);
}

// The folder a drop means: a folder itself, or the folder of a dropped dataset file.
QString droppedFolder(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls()) return {};
    for (const auto& url : mime->urls()) {
        if (!url.isLocalFile()) continue;
        const QFileInfo info(url.toLocalFile());
        if (info.isDir()) return info.absoluteFilePath();
        if (info.isFile() && !DatasetField::detectFormat(info.absolutePath()).isEmpty()) return info.absolutePath();
    }
    return {};
}

}  // namespace

QString DatasetField::detectFormat(const QString& path)
{
    // The engine decides, so the field never disagrees with what a run will read.
    return displayName(csq::detectDatasetFormat(path.toStdString()));
}

DatasetField::DatasetField(QWidget* parent) : QWidget(parent), edit_(new QLineEdit(this)), format_(new QLabel(this))
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setSpacing(4);
    auto* button = new QToolButton(this);
    button->setText(QStringLiteral("…"));
    button->setToolTip(tr("Choose the dataset folder"));
    row->addWidget(edit_, 1);
    row->addWidget(button);
    column->addLayout(row);
    column->addWidget(format_);
    edit_->setPlaceholderText(tr("dataset folder (drop one here)"));
    edit_->setClearButtonEnabled(true);
    setAcceptDrops(true);
    edit_->setAcceptDrops(false);  // the field as a whole takes the drop, folders included
    setToolTip(
        tr("A folder with IDX files (train-images-idx3-ubyte[.gz], …: MNIST, Fashion-MNIST), CIFAR-10 "
           "binary (data_batch_1.bin … test_batch.bin) or CIFAR-100 binary (train.bin, test.bin). "
           "Drag a folder onto the window to use it."));
    connect(button, &QToolButton::clicked, this, &DatasetField::browse);
    connect(edit_, &QLineEdit::textChanged, this, [this](const QString& text) {
        updateFormat();
        Q_EMIT pathChanged(text);
    });
    updateFormat();
}

QString DatasetField::path() const
{
    return edit_->text().trimmed();
}

void DatasetField::setPath(const QString& path)
{
    const QSignalBlocker block(edit_);
    edit_->setText(path);
    updateFormat();
}

QString DatasetField::formatText() const
{
    return format_->text();
}

void DatasetField::updateFormat()
{
    const auto format = detectFormat(path());
    if (!format.isEmpty()) {
        format_->setText(tr("✓ %1 format recognized").arg(format));
        format_->setStyleSheet(QString());
    } else {
        format_->setText(path().isEmpty()            ? tr("no folder chosen")
                         : QFileInfo::exists(path()) ? tr("no recognized dataset in this folder")
                                                     : tr("no such folder"));
        format_->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    }
}

void DatasetField::browse()
{
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), path());
    if (dir.isEmpty()) return;
    edit_->setText(dir);  // emits pathChanged through textChanged
}

void DatasetField::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFolder(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void DatasetField::dropEvent(QDropEvent* event)
{
    const auto folder = droppedFolder(event->mimeData());
    if (folder.isEmpty()) return;
    edit_->setText(folder);
    event->acceptProposedAction();
}

}  // namespace csq::ui
