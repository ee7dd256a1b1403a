#pragma once
// Help ▸ About: what CSQ Studio is and the versions it was built with (the app, LibTorch, Boost, Qt,
// QCustomPlot), so a bug report can name them.
#include <QDialog>

namespace csq::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    static QString versionsText();  // one line per library, plain text
};

}  // namespace csq::ui
