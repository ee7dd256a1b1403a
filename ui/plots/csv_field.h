#pragma once
// One CSV field, quoted only when it holds a comma or a quote (RFC 4180).
#include <QString>

namespace csq::ui {

inline QString csvField(const QString& text)
{
    if (!text.contains(u',') && !text.contains(u'"')) return text;
    return u'"' + QString(text).replace(u'"', QStringLiteral("\"\"")) + u'"';
}

}  // namespace csq::ui
