#pragma once
// The rows that edit TrainingConfig's knobs, one per config.json key: a label, an editor and a red
// line under it for validate()'s issue. Each row's member, and a number's range, come from the field
// table (csq/config_fields.h); the caller gives the words (label, unit, tooltip) and the layout. A
// knob without such words still gets a row from addRemaining, with the table's help as its tooltip.
#include <functional>
#include <variant>
#include <vector>

#include <QComboBox>
#include <QHash>
#include <QObject>
#include <QStringList>

#include "csq/config.h"
#include "csq/config_fields.h"

class QFormLayout;
class QLabel;
class QLineEdit;

namespace csq::ui {

class ConfigRows : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    struct Row {
        QWidget* editor = nullptr;
        QLabel* issue = nullptr;
        std::function<void(csq::TrainingConfig&)> read;
        std::function<void(const csq::TrainingConfig&)> write;
    };

    // A row with any editor: read and write move the value between the editor and a config.
    void add(QFormLayout* form, const QString& key, const QString& label, QWidget* editor, const QString& tip, Row row);
    void addWhole(QFormLayout* form, const char* key, const QString& label, const QString& suffix, const QString& tip,
                  const QString& special = {});
    void addReal(QFormLayout* form, const char* key, const QString& label, const QString& suffix, const QString& tip);
    void addFlag(QFormLayout* form, const char* key, const QString& label, const QString& tip);
    // A file path with a browse button (QFileDialog filter `filter`), a clear button and a note when
    // the file does not exist.
    QLineEdit* addFile(QFormLayout* form, const char* key, const QString& label, const QString& filter,
                       const QString& tip);
    // A line of text (a small grammar such as layer rules), with a placeholder that shows an example.
    QLineEdit* addText(QFormLayout* form, const char* key, const QString& label, const QString& placeholder,
                       const QString& tip);
    template <class E>
    void addChoice(QFormLayout* form, const char* key, const QString& label, const QList<QPair<QString, E>>& choices,
                   const QString& tip);
    // A row for every table knob that has none yet and is not live (the Budget panel's), in the form
    // `group` makes on first need: a new knob shows before it is given its own words.
    void addRemaining(const std::function<QFormLayout*()>& group);

    void write(const csq::TrainingConfig& config) const;
    void read(csq::TrainingConfig& config) const;
    // Each row shows the config issues naming its key; the others are cleared.
    void showIssues(const std::vector<csq::ConfigIssue>& issues);

    QWidget* editor(const QString& key) const;
    QString issueText(const QString& key) const;
    QStringList keys() const { return order_; }

Q_SIGNALS:
    void edited();

private:
    static const csq::ConfigField& tableField(const char* key);  // throws std::logic_error: a typo in a key

    QHash<QString, Row> rows_;
    QStringList order_;
};

template <class E>
void ConfigRows::addChoice(QFormLayout* form, const char* key, const QString& label,
                           const QList<QPair<QString, E>>& choices, const QString& tip)
{
    const auto member = std::get<csq::ConfigMember<E>>(tableField(key).member);
    auto* combo = new QComboBox;
    for (const auto& [text, value] : choices) combo->addItem(text, static_cast<int>(value));
    connect(combo, &QComboBox::currentIndexChanged, this, &ConfigRows::edited);
    add(form, QString::fromLatin1(key), label, combo, tip,
        {nullptr, nullptr,
         [combo, member](csq::TrainingConfig& c) { c.*member = static_cast<E>(combo->currentData().toInt()); },
         [combo, member](const csq::TrainingConfig& c) {
             combo->setCurrentIndex(combo->findData(static_cast<int>(c.*member)));
         }});
}

}  // namespace csq::ui
