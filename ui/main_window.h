#pragma once
// The application's main window: assembles the dock panels, menus and tool bar.
#include <QMainWindow>

namespace csq::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace csq::ui
