#include "compare/scheme_comparison_tab.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace csq::ui {

SchemeComparisonTab::SchemeComparisonTab(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 4, 8, 0);
    runA_ = new QComboBox(this);
    runB_ = new QComboBox(this);
    for (auto* box : {runA_, runB_}) box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    mode_ = new QComboBox(this);
    mode_->addItem(tr("Side by side"), static_cast<int>(SchemeGridView::Mode::SideBySide));
    mode_->addItem(tr("Difference A − B"), static_cast<int>(SchemeGridView::Mode::Difference));
    mode_->addItem(tr("A only"), static_cast<int>(SchemeGridView::Mode::Single));
    auto* swap = new QPushButton(tr("Swap"), this);
    connect(swap, &QPushButton::clicked, this, [this] {
        compare(runB_->currentIndex(), runA_->currentIndex(),
                static_cast<SchemeGridView::Mode>(mode_->currentData().toInt()));
    });
    for (auto* box : {runA_, runB_, mode_})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!updating_) refresh();
        });
    bar->addWidget(new QLabel(tr("A:"), this));
    bar->addWidget(runA_);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("B:"), this));
    bar->addWidget(runB_);
    bar->addWidget(swap);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Show:"), this));
    bar->addWidget(mode_);
    bar->addStretch(1);
    hint_ = new QLabel(this);
    bar->addWidget(hint_);
    layout->addLayout(bar);
    view_ = new SchemeGridView(this);
    layout->addWidget(view_, 1);
}

void SchemeComparisonTab::setRuns(QList<Run> runs)
{
    runs_ = std::move(runs);
    // Defaults: the first two runs that have a scheme (a float run keeps no bits).
    QList<int> withScheme;
    for (int i = 0; i < runs_.size(); ++i)
        if (!runs_[i].layers.empty()) withScheme.append(i);
    const int defaultA = withScheme.value(0, 0), defaultB = withScheme.value(1, runs_.size() > 1 ? 1 : 0);
    updating_ = true;
    for (auto* box : {runA_, runB_}) {
        const auto current = box->currentText();
        box->clear();
        for (const auto& run : runs_) box->addItem(run.icon, run.label);
        const int index = box->findText(current);
        box->setCurrentIndex(index >= 0 ? index : box == runA_ ? defaultA : defaultB);
    }
    updating_ = false;
    refresh();
}

void SchemeComparisonTab::compare(int a, int b, SchemeGridView::Mode mode)
{
    updating_ = true;
    runA_->setCurrentIndex(a);
    runB_->setCurrentIndex(b);
    mode_->setCurrentIndex(mode_->findData(static_cast<int>(mode)));
    updating_ = false;
    refresh();
}

void SchemeComparisonTab::refresh()
{
    const int a = runA_->currentIndex(), b = runB_->currentIndex(), count = static_cast<int>(runs_.size());
    const auto mode = static_cast<SchemeGridView::Mode>(mode_->currentData().toInt());
    hint_->clear();
    if (a < 0 || a >= count) {
        view_->clear();
        return;
    }
    const auto& ra = runs_[a];
    if (mode == SchemeGridView::Mode::Single || b < 0 || b >= count) {
        view_->showScheme(ra.label, ra.layers);
        if (ra.layers.empty())
            hint_->setText(tr("%1 keeps no bits (a float run)").arg(ra.label));
        else if (mode != SchemeGridView::Mode::Single)
            hint_->setText(tr("open a second run to compare"));
        return;
    }
    const auto& rb = runs_[b];
    if (mode == SchemeGridView::Mode::Difference)
        view_->showDifference(ra.label, ra.layers, rb.label, rb.layers);
    else
        view_->showSideBySide(ra.label, ra.layers, rb.label, rb.layers);
    if (a == b)
        hint_->setText(tr("A and B are the same run"));
    else if (ra.layers.empty() || rb.layers.empty())
        hint_->setText(tr("%1 keeps no bits (a float run)").arg(ra.layers.empty() ? ra.label : rb.label));
}

}  // namespace csq::ui
