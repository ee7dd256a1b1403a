#include "window/recent_files.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace csq::ui {

namespace {
const char* const kKey = "recentFiles";
}

RecentFiles::RecentFiles(QObject* parent) : QObject(parent), menu_(new QMenu(tr("Open &Recent")))
{
    connect(menu_, &QMenu::aboutToShow, this, &RecentFiles::rebuildMenu);
    connect(this, &QObject::destroyed, menu_, &QObject::deleteLater);
    rebuildMenu();
}

QStringList RecentFiles::files() const
{
    return QSettings().value(QString::fromLatin1(kKey)).toStringList();
}

void RecentFiles::store(const QStringList& files)
{
    QSettings().setValue(QString::fromLatin1(kKey), files);
    rebuildMenu();
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    auto list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxFiles) list.removeLast();
    store(list);
}

void RecentFiles::clear()
{
    store({});
}

void RecentFiles::rebuildMenu()
{
    menu_->clear();
    auto list = files();
    list.erase(std::remove_if(list.begin(), list.end(), [](const QString& f) { return !QFileInfo::exists(f); }),
               list.end());
    int index = 1;
    for (const auto& file : std::as_const(list)) {
        // &1 … &9 give keyboard accelerators; the full path is in the status tip.
        const QString text = index < 10 ? QStringLiteral("&%1  %2").arg(index).arg(QFileInfo(file).fileName())
                                        : QFileInfo(file).fileName();
        auto* action = menu_->addAction(text);
        action->setStatusTip(QDir::toNativeSeparators(file));
        action->setToolTip(QDir::toNativeSeparators(file));
        connect(action, &QAction::triggered, this, [this, file] { Q_EMIT openRequested(file); });
        ++index;
    }
    if (list.isEmpty()) menu_->addAction(tr("(none yet)"))->setEnabled(false);
    menu_->addSeparator();
    auto* clearAction = menu_->addAction(tr("Clear list"));
    clearAction->setEnabled(!list.isEmpty());
    connect(clearAction, &QAction::triggered, this, &RecentFiles::clear);
}

}  // namespace csq::ui
