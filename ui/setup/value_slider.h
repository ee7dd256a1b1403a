#pragma once
// A slider over a real-valued knob, linear (with a step) or logarithmic (for knobs spanning
// decades such as β_final and λ), with its value and unit printed beside it.
#include <QWidget>

class QLabel;
class QSlider;

namespace csq::ui {

class ValueSlider : public QWidget {
    Q_OBJECT
public:
    enum class Scale { Linear, Log };

    ValueSlider(Scale scale, double minimum, double maximum, double step, QWidget* parent = nullptr);

    void setRange(double minimum, double maximum);
    double minimum() const { return min_; }
    double maximum() const { return max_; }
    // Moves the slider without emitting valueChanged (a value set by the program, not the user).
    void setValue(double value);
    double value() const { return value_; }
    void setUnit(const QString& unit);
    void setDecimals(int significant)
    {
        digits_ = significant;
        updateLabel();
    }

    QSlider* slider() const { return slider_; }  // tests drive it like a user
    int positionOf(double value) const;
    double valueAt(int position) const;

Q_SIGNALS:
    void valueChanged(double value);

private:
    void onSliderMoved(int position);
    void updateLabel();
    int steps() const;

    Scale scale_;
    double min_, max_, step_;
    double value_;
    int digits_ = 3;
    QString unit_;
    QSlider* slider_;
    QLabel* label_;
};

}  // namespace csq::ui
