#pragma once
// The comparison window's Heatmaps tab: two runs' kept-bit schemes, A and B chosen from the open runs,
// shown side by side, as a difference A − B, or A alone, with a hint when a choice cannot compare.
#include <vector>

#include <QIcon>
#include <QList>
#include <QWidget>

#include "csq/scheme.h"
#include "compare/scheme_grid_view.h"

class QComboBox;
class QLabel;

namespace csq::ui {

class SchemeComparisonTab : public QWidget {
    Q_OBJECT
public:
    struct Run {
        QString label;
        QIcon icon;
        std::vector<csq::LayerScheme> layers;  // empty for a float run
    };

    explicit SchemeComparisonTab(QWidget* parent = nullptr);

    // The runs to choose from (the window's list, in order). A and B stay on the runs they showed when
    // those are still there; else they default to the first two runs that keep bits.
    void setRuns(QList<Run> runs);
    // Shows runs A and B (indices into the list) the given way.
    void compare(int a, int b, SchemeGridView::Mode mode);
    SchemeGridView* view() const { return view_; }

private:
    void refresh();

    QList<Run> runs_;
    QComboBox* runA_;
    QComboBox* runB_;
    QComboBox* mode_;
    QLabel* hint_;
    SchemeGridView* view_;
    bool updating_ = false;
};

}  // namespace csq::ui
