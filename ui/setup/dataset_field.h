#pragma once
// The dataset chooser: a path, a browse button, drag & drop of a folder, and the format recognized
// there by the engine's rules (IDX, CIFAR-10 binary, CIFAR-100 binary) shown as the user picks.
#include <QWidget>

class QLabel;
class QLineEdit;

namespace csq::ui {

class DatasetField : public QWidget {
    Q_OBJECT
public:
    explicit DatasetField(QWidget* parent = nullptr);

    QString path() const;
    void setPath(const QString& path);  // no pathChanged: a value set by the program
    QString formatText() const;         // what the format label says

    // "IDX", "CIFAR-10", "CIFAR-100", or "" when none is recognized: the file names the engine looks
    // for, in the folder itself or its cifar-10-batches-bin / cifar-100-binary subfolder.
    static QString detectFormat(const QString& path);

Q_SIGNALS:
    void pathChanged(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void browse();
    void updateFormat();

    QLineEdit* edit_;
    QLabel* format_;
};

}  // namespace csq::ui
