#pragma once
// The File ▸ Recent menu: configs and checkpoints opened lately, newest first, kept in QSettings so
// they survive a restart; files that have gone away are dropped when the menu is shown.
#include <QObject>
#include <QStringList>

class QMenu;

namespace csq::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxFiles = 10;

    explicit RecentFiles(QObject* parent = nullptr);

    QMenu* menu() const { return menu_; }
    QStringList files() const;
    void add(const QString& path);
    void clear();

Q_SIGNALS:
    void openRequested(const QString& path);

private:
    void rebuildMenu();
    void store(const QStringList& files);

    QMenu* menu_;
};

}  // namespace csq::ui
