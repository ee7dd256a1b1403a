#include "setup/compact_double_spin_box.h"

#include <QLocale>

namespace csq::ui {

namespace {
constexpr int kSignificantDigits = 6;
}

CompactDoubleSpinBox::CompactDoubleSpinBox(QWidget* parent) : QDoubleSpinBox(parent)
{
    setDecimals(12);  // storage precision; the text shows only the significant digits
    setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    setKeyboardTracking(false);  // validate once per finished edit, not per keystroke
    setAlignment(Qt::AlignRight);
}

QString CompactDoubleSpinBox::textFromValue(double value) const
{
    QString text = locale().toString(value, 'g', kSignificantDigits);
    text.remove(locale().groupSeparator());
    return text;
}

double CompactDoubleSpinBox::valueFromText(const QString& text) const
{
    QString body = text;
    if (!prefix().isEmpty()) body.remove(0, prefix().size());
    if (!suffix().isEmpty()) body.chop(suffix().size());
    bool ok = false;
    const double value = locale().toDouble(body.trimmed(), &ok);
    return ok ? value : this->value();
}

QValidator::State CompactDoubleSpinBox::validate(QString& text, int& /*pos*/) const
{
    QString body = text;
    if (!prefix().isEmpty() && body.startsWith(prefix())) body.remove(0, prefix().size());
    if (!suffix().isEmpty() && body.endsWith(suffix())) body.chop(suffix().size());
    body = body.trimmed();
    if (body.isEmpty() || body == u"-" || body.endsWith(u'e') || body.endsWith(u'E') || body.endsWith(u'-'))
        return QValidator::Intermediate;
    bool ok = false;
    const double value = locale().toDouble(body, &ok);
    if (!ok) return QValidator::Invalid;
    return value >= minimum() && value <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

}  // namespace csq::ui
