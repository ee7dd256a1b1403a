#include "setup/config_rows.h"

#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <variant>

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "setup/compact_double_spin_box.h"

namespace csq::ui {

using csq::TrainingConfig;

void ConfigRows::add(QFormLayout* form, const QString& key, const QString& label, QWidget* editor, const QString& tip,
                     Row field)
{
    // The editor with its message right under it: the message belongs to this field and no other.
    auto* cell = new QWidget(form->parentWidget());
    auto* column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(1);
    editor->setParent(cell);
    column->addWidget(editor);
    field.issue = new QLabel(cell);
    field.issue->setWordWrap(true);
    field.issue->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    field.issue->setVisible(false);
    column->addWidget(field.issue);
    field.editor = editor;
    const QString fullTip = QStringLiteral("<p>%1</p><p><i>config key: %2</i></p>").arg(tip, key);
    editor->setToolTip(fullTip);
    auto* labelWidget = new QLabel(label, form->parentWidget());
    labelWidget->setToolTip(fullTip);
    labelWidget->setBuddy(editor);
    form->addRow(labelWidget, cell);
    rows_.insert(key, field);
    order_.append(key);
}

namespace {

// A spin box's bounds from the table's range: an open end moves in by the box's smallest step, an
// unbounded one stops at `cap`.
std::pair<double, double> spinBounds(const csq::ValueRange& r, double step, double cap)
{
    const double low = r.low == -r.none ? -cap : r.lowOpen ? r.low + step : r.low;
    const double high = r.high == r.none ? cap : r.highOpen ? r.high - step : r.high;
    return {std::max(low, -cap), std::min(high, cap)};
}

}  // namespace

const csq::ConfigField& ConfigRows::tableField(const char* key)
{
    if (const auto* f = csq::findConfigField(key)) return *f;
    throw std::logic_error(std::string("ConfigRows: no config field '") + key + "' in core/api/config_fields.cpp");
}

void ConfigRows::addWhole(QFormLayout* form, const char* key, const QString& label, const QString& suffix,
                          const QString& tip, const QString& special)
{
    const auto& field = tableField(key);
    auto* spin = new QSpinBox;
    const auto [low, high] = spinBounds(field.range, 1, std::numeric_limits<int>::max());
    spin->setRange(static_cast<int>(low), static_cast<int>(high));
    spin->setSuffix(suffix);
    spin->setSpecialValueText(special);
    spin->setKeyboardTracking(false);
    spin->setAlignment(Qt::AlignRight);
    connect(spin, &QSpinBox::valueChanged, this, &ConfigRows::edited);
    std::visit(
        [&](auto member) {
            using T = std::remove_cvref_t<decltype(TrainingConfig{}.*member)>;
            if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
                add(form, QString::fromLatin1(key), label, spin, tip,
                    {nullptr, nullptr, [spin, member](TrainingConfig& c) { c.*member = static_cast<T>(spin->value()); },
                     [spin, member](const TrainingConfig& c) { spin->setValue(static_cast<int>(c.*member)); }});
            else
                throw std::logic_error(std::string("ConfigRows: '") + key + "' is not a whole number");
        },
        field.member);
}

void ConfigRows::addReal(QFormLayout* form, const char* key, const QString& label, const QString& suffix,
                         const QString& tip)
{
    const auto& field = tableField(key);
    const auto member = std::get<csq::ConfigMember<double>>(field.member);
    auto* spin = new CompactDoubleSpinBox;
    const auto [low, high] = spinBounds(field.range, std::pow(10.0, -spin->decimals()), 1e9);
    spin->setRange(low, high);
    spin->setSuffix(suffix);
    connect(spin, &QDoubleSpinBox::valueChanged, this, &ConfigRows::edited);
    // The spin box keeps 12 decimals: a loaded value it cannot hold exactly (2/3) comes back exact
    // unless the user changed it.
    auto loaded = std::make_shared<std::pair<double, double>>(0.0, std::numeric_limits<double>::quiet_NaN());
    add(form, QString::fromLatin1(key), label, spin, tip,
        {nullptr, nullptr,
         [spin, member, loaded](TrainingConfig& c) {
             c.*member = spin->value() == loaded->second ? loaded->first : spin->value();
         },
         [spin, member, loaded](const TrainingConfig& c) {
             spin->setValue(c.*member);
             *loaded = {c.*member, spin->value()};
         }});
}

void ConfigRows::addFlag(QFormLayout* form, const char* key, const QString& label, const QString& tip)
{
    const auto member = std::get<csq::ConfigMember<bool>>(tableField(key).member);
    auto* box = new QCheckBox;
    connect(box, &QCheckBox::toggled, this, &ConfigRows::edited);
    add(form, QString::fromLatin1(key), label, box, tip,
        {nullptr, nullptr, [box, member](TrainingConfig& c) { c.*member = box->isChecked(); },
         [box, member](const TrainingConfig& c) { box->setChecked(c.*member); }});
}

QLineEdit* ConfigRows::addFile(QFormLayout* form, const char* key, const QString& label, const QString& filter,
                               const QString& tip)
{
    const auto member = std::get<csq::ConfigMember<std::string>>(tableField(key).member);
    auto* cell = new QWidget;
    auto* column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto* line = new QHBoxLayout;
    line->setSpacing(4);
    auto* edit = new QLineEdit(cell);
    edit->setPlaceholderText(tr("none"));
    edit->setClearButtonEnabled(true);
    auto* browse = new QToolButton(cell);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the file"));
    line->addWidget(edit, 1);
    line->addWidget(browse);
    column->addLayout(line);
    // Existence is the file's business, not the config's (validate() is pure): noted here as the user types.
    auto* missing = new QLabel(tr("no such file"), cell);
    missing->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    missing->setVisible(false);
    column->addWidget(missing);
    connect(edit, &QLineEdit::textChanged, this, [this, missing](const QString& text) {
        const auto path = text.trimmed();
        missing->setVisible(!path.isEmpty() && !QFileInfo(path).isFile());
        Q_EMIT edited();
    });
    connect(browse, &QToolButton::clicked, this, [edit, label, filter] {
        const auto start = edit->text().trimmed();
        if (const auto file = QFileDialog::getOpenFileName(edit->window(), label, start,
                                                           filter + QStringLiteral(";;") + tr("All files (*)"));
            !file.isEmpty())
            edit->setText(file);
    });
    add(form, QString::fromLatin1(key), label, cell, tip,
        {nullptr, nullptr, [edit, member](TrainingConfig& c) { c.*member = edit->text().trimmed().toStdString(); },
         [edit, member](const TrainingConfig& c) { edit->setText(QString::fromStdString(c.*member)); }});
    return edit;
}

void ConfigRows::addRemaining(const std::function<QFormLayout*()>& group)
{
    QFormLayout* form = nullptr;
    for (const auto& f : csq::configFields()) {
        const auto key = QString::fromLatin1(f.key);
        // A choice among names (an enum) needs its own row, with its words, in the panel.
        const auto* text = std::get_if<csq::ConfigMember<std::string>>(&f.member);
        if (f.live || rows_.contains(key) || (f.kind() == csq::FlagKind::Text && !text)) continue;
        if (!form) form = group();
        auto label = key;
        label.replace(u'_', u' ');
        label[0] = label[0].toUpper();
        const auto tip = QString::fromUtf8(f.help);
        if (f.kind() == csq::FlagKind::Switch) {
            addFlag(form, f.key, label, tip);
        } else if (f.kind() == csq::FlagKind::Whole) {
            addWhole(form, f.key, label, QString(), tip);
        } else if (f.kind() == csq::FlagKind::Real) {
            addReal(form, f.key, label, QString(), tip);
        } else {
            addText(form, f.key, label, QString(), tip);
        }
    }
}

QLineEdit* ConfigRows::addText(QFormLayout* form, const char* key, const QString& label, const QString& placeholder,
                               const QString& tip)
{
    const auto member = std::get<csq::ConfigMember<std::string>>(tableField(key).member);
    auto* edit = new QLineEdit;
    edit->setPlaceholderText(placeholder);
    connect(edit, &QLineEdit::textChanged, this, &ConfigRows::edited);
    add(form, QString::fromLatin1(key), label, edit, tip,
        {nullptr, nullptr, [edit, member](TrainingConfig& c) { c.*member = edit->text().trimmed().toStdString(); },
         [edit, member](const TrainingConfig& c) { edit->setText(QString::fromStdString(c.*member)); }});
    return edit;
}

void ConfigRows::write(const TrainingConfig& config) const
{
    for (const auto& row : rows_) row.write(config);
}

void ConfigRows::read(TrainingConfig& config) const
{
    for (const auto& row : rows_) row.read(config);
}

void ConfigRows::showIssues(const std::vector<csq::ConfigIssue>& issues)
{
    for (auto it = rows_.begin(); it != rows_.end(); ++it) {
        QString text;
        for (const auto& issue : issues)
            if (QString::fromStdString(issue.field) == it.key())
                text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + QString::fromStdString(issue.message);
        it->issue->setText(text);
        it->issue->setVisible(!text.isEmpty());
    }
}

QWidget* ConfigRows::editor(const QString& key) const
{
    const auto it = rows_.find(key);
    return it == rows_.end() ? nullptr : it->editor;
}

QString ConfigRows::issueText(const QString& key) const
{
    const auto it = rows_.find(key);
    return it == rows_.end() ? QString() : it->issue->text();
}

}  // namespace csq::ui
