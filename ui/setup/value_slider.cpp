#include "setup/value_slider.h"

#include <algorithm>
#include <cmath>

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSlider>

namespace csq::ui {

namespace {
constexpr int kLogSteps = 1000;  // slider positions across a logarithmic range
}

ValueSlider::ValueSlider(Scale scale, double minimum, double maximum, double step, QWidget* parent)
    : QWidget(parent),
      scale_(scale),
      min_(minimum),
      max_(maximum),
      step_(step),
      value_(minimum),
      slider_(new QSlider(Qt::Horizontal, this)),
      label_(new QLabel(this))
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(8);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    label_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance(QStringLiteral("0.00001 bits")));
    label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    slider_->setTracking(true);
    connect(slider_, &QSlider::valueChanged, this, &ValueSlider::onSliderMoved);
    setRange(minimum, maximum);
}

int ValueSlider::steps() const
{
    if (scale_ == Scale::Log) return kLogSteps;
    return std::max(1, static_cast<int>(std::lround((max_ - min_) / step_)));
}

void ValueSlider::setRange(double minimum, double maximum)
{
    min_ = minimum;
    max_ = std::max(maximum, minimum + (scale_ == Scale::Log ? minimum * 1e-3 : step_));
    const QSignalBlocker block(slider_);
    slider_->setRange(0, steps());
    slider_->setPageStep(std::max(1, steps() / 20));
    value_ = std::clamp(value_, min_, max_);
    slider_->setValue(positionOf(value_));
    updateLabel();
}

int ValueSlider::positionOf(double value) const
{
    value = std::clamp(value, min_, max_);
    const double u =
        scale_ == Scale::Log ? std::log(value / min_) / std::log(max_ / min_) : (value - min_) / (max_ - min_);
    return static_cast<int>(std::lround(u * steps()));
}

double ValueSlider::valueAt(int position) const
{
    const double u = static_cast<double>(std::clamp(position, 0, steps())) / steps();
    if (scale_ == Scale::Log) {
        // Rounded to 3 significant digits: the label shows what is applied.
        const double v = min_ * std::pow(max_ / min_, u);
        const double magnitude = std::pow(10.0, std::floor(std::log10(v)) - 2);
        return std::clamp(std::round(v / magnitude) * magnitude, min_, max_);
    }
    return std::min(max_, min_ + std::round(u * (max_ - min_) / step_) * step_);
}

void ValueSlider::setValue(double value)
{
    value_ = std::clamp(value, min_, max_);
    const QSignalBlocker block(slider_);
    slider_->setValue(positionOf(value_));
    updateLabel();
}

void ValueSlider::setUnit(const QString& unit)
{
    unit_ = unit;
    updateLabel();
}

void ValueSlider::onSliderMoved(int position)
{
    value_ = valueAt(position);
    updateLabel();
    Q_EMIT valueChanged(value_);
}

void ValueSlider::updateLabel()
{
    const QString number = QLocale().toString(value_, 'g', digits_);
    label_->setText(unit_.isEmpty() ? number : number + u' ' + unit_);
}

}  // namespace csq::ui
