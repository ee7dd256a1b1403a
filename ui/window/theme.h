#pragma once
// Light and dark looks for the whole application: the Fusion style with a palette of our own (Qt 6.4
// cannot follow the desktop's colour scheme); plots restyle themselves on the palette change.
#include <QString>

namespace csq::ui {

class Theme {
public:
    enum class Mode { Light, Dark };

    static void apply(Mode mode);
    static Mode current();
    static QString key(Mode mode);  // "light" / "dark", as stored in QSettings
    static Mode fromKey(const QString& key);

private:
    static inline Mode current_ = Mode::Light;
};

}  // namespace csq::ui
