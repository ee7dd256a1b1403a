#pragma once
// A double spin box that shows values the way people write them (0.05, 5e-04, 200) instead of a
// fixed number of decimals, for knobs that span decades such as learning rates and weight decay.
#include <QDoubleSpinBox>

namespace csq::ui {

class CompactDoubleSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit CompactDoubleSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
};

}  // namespace csq::ui
