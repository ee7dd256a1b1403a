#pragma once
// The gate temperature's plan over the whole run (float warm-up, search, ticket, finetune rewind) on a log axis,
// the β the run actually used, and where the run is now; replans when the schedule knobs move.
#include <QPointF>
#include <QRectF>

#include "run/beta_plan.h"
#include "plots/plot_panel.h"

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;

namespace csq::ui {

class BetaScheduleView : public PlotPanel {
    Q_OBJECT
public:
    explicit BetaScheduleView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("beta-schedule"); }

    const BetaPlan& plan() const { return plan_; }
    int planRevision() const { return revision_; }  // bumps on every replan
    // The planned curve as drawn (t in epochs, β).
    int curvePointCount() const;
    QPointF curvePoint(int i) const;
    // The current position marker; NaN coordinates before the first snapshot.
    QPointF marker() const;
    // The pixel rectangle of the label of the float (0), ticket (1) and finetune (2) line; empty when hidden.
    QRectF labelRect(int i) const;

public Q_SLOTS:
    void setPlan(const csq::ui::BetaPlan& plan);

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    void replan();
    void placeLine(QCPItemStraightLine* line, QCPItemText* label, double t, bool visible);
    void layoutLabels();

    BetaPlan plan_;
    int revision_ = 0;
    QCPGraph* planned_;
    QCPGraph* actual_;
    QCPGraph* now_;
    QCPItemStraightLine* floatLine_;
    QCPItemStraightLine* ticketLine_;
    QCPItemStraightLine* finetuneLine_;
    QCPItemText* floatLabel_;
    QCPItemText* ticketLabel_;
    QCPItemText* finetuneLabel_;
};

}  // namespace csq::ui
