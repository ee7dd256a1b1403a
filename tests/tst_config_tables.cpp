// The config's tables, each the one source of what it says: the field table is config.json, its ranges
// are validate()'s, enum names read both ways and are in the help, the bounds one field sets on another
// are the range validate() checks, and the built-in models are the specs the build compiled in.
#include <limits>
#include <tuple>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

#include "csq/config.h"
#include "csq/config_fields.h"
#include "csq/enum_names.h"
#include "csq/zoo.h"

using namespace csq;

class TestConfigTables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fieldTableIsTheConfig();
    void tableRangesAreValidatesRanges();
    void enumNamesReadBothWaysAndTheHelpListsThem();
    void crossFieldBoundsAreTheRange();
    void zooListIsTheBuiltModels();
};

// The field table is the config: config.json holds exactly its keys in its order, every key and flag
// is unique, and a value set through the table's member reads back from the JSON under its key.
void TestConfigTables::fieldTableIsTheConfig()
{
    const auto& fields = configFields();
    const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(toJson(TrainingConfig{}))).object();
    QCOMPARE(static_cast<size_t>(json.size()), fields.size());
    QSet<QString> keys, flags;
    for (const auto& f : fields) {
        QVERIFY2(json.contains(QLatin1String(f.key)), f.key);
        QVERIFY2(!keys.contains(QLatin1String(f.key)), f.key);
        keys.insert(QLatin1String(f.key));
        if (*f.flag) {
            QVERIFY2(!flags.contains(QLatin1String(f.flag)), f.flag);
            flags.insert(QLatin1String(f.flag));
        }
        QVERIFY2(*f.help, f.key);
        QCOMPARE(findConfigField(f.key), &f);
    }
    QVERIFY(!findConfigField("no_such_key"));
    TrainingConfig c;
    c.lambda = 0.125;
    c.model = "resnet20";
    c.budgetMode = BudgetMode::Size;
    const auto back = configFromJson(toJson(c));
    QCOMPARE(fieldValueText(*findConfigField("lambda"), back), std::string("0.125"));
    QCOMPARE(fieldValueText(*findConfigField("model"), back), std::string("resnet20"));
    QCOMPARE(fieldValueText(*findConfigField("budget_mode"), back), std::string("size"));
    QVERIFY(findConfigField("horizontal_flip")->kind() == FlagKind::Switch);
    QVERIFY(findConfigField("seed")->kind() == FlagKind::Whole);
    QVERIFY(findConfigField("device")->kind() == FlagKind::Text);
}

// validate() holds every number to its table range: each end is accepted when closed and rejected
// when open, a value one step beyond either end is rejected naming the field, and NaN never passes.
void TestConfigTables::tableRangesAreValidatesRanges()
{
    auto setNumber = [](TrainingConfig& c, const ConfigField& f, double v) {
        std::visit(
            [&](auto m) {
                using T = std::remove_cvref_t<decltype(c.*m)>;
                if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) c.*m = static_cast<T>(v);
            },
            f.member);
    };
    // Another field whose check the value would trip instead (ticket <= epochs) is widened first.
    auto roomy = [] {
        TrainingConfig c;
        c.epochs = 100000;
        c.maxBits = 16;
        return c;
    };
    auto namedIssue = [](const TrainingConfig& c, const char* key) {
        const auto issues = validate(c);
        return std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue& i) { return i.field == key; });
    };
    int checked = 0;
    for (const auto& f : configFields()) {
        if (!f.range.bounded() || !numericValue(f, TrainingConfig{})) continue;
        const bool whole = f.kind() == FlagKind::Whole;
        const double step = whole ? 1 : 1e-6;
        for (const auto& [end, open, beyond] : {std::tuple{f.range.low, f.range.lowOpen, f.range.low - step},
                                                std::tuple{f.range.high, f.range.highOpen, f.range.high + step}}) {
            if (!std::isfinite(end)) continue;
            if (!(whole && beyond < 0 && std::string(f.key) == "seed")) {  // an unsigned seed cannot go below 0
                auto c = roomy();
                setNumber(c, f, beyond);
                QVERIFY2(namedIssue(c, f.key),
                         qPrintable(QString::fromLatin1(f.key) + " = " + QString::number(beyond)));
            }
            auto c = roomy();
            setNumber(c, f, end);
            QVERIFY2(namedIssue(c, f.key) == open,
                     qPrintable(QString::fromLatin1(f.key) + " = " + QString::number(end)));
            ++checked;
        }
        if (!whole) {
            auto c = roomy();
            setNumber(c, f, std::numeric_limits<double>::quiet_NaN());
            QVERIFY2(namedIssue(c, f.key), f.key);
        }
    }
    QVERIFY(checked > 30);
    TrainingConfig c;
    c.maxBits = 20;
    QCOMPARE(QString::fromStdString(validate(c).front().message), QStringLiteral("must be in [1, 16], got 20"));
}

// Every enum value's name reads back to it, JSON included, and the help of its field lists it: a new
// value added to a table but not to --help fails here.
void TestConfigTables::enumNamesReadBothWaysAndTheHelpListsThem()
{
    QVERIFY(!fromString<csq::Phase>("warm-up").has_value());
    for (const auto& field : configFields())
        std::visit(
            [&](auto member) {
                using Value = std::remove_cvref_t<decltype(std::declval<TrainingConfig>().*member)>;
                if constexpr (std::is_enum_v<Value>) {
                    for (const auto& [name, value] : EnumNames<Value>::values) {
                        QVERIFY(fromString<Value>(name) == value);
                        QCOMPARE(toString(value), std::string(name));
                        QVERIFY2(std::string(field.help).find(name) != std::string::npos,
                                 qPrintable(QStringLiteral("%1's help lacks '%2'")
                                                .arg(field.key, QString::fromUtf8(name.data(), int(name.size())))));
                        TrainingConfig c;
                        c.*member = value;
                        QVERIFY(configFromJson(toJson(c), "test").*member == value);
                    }
                }
            },
            field.member);
}

// A bound set by another field is the field's range in that config: validate() checks it and says
// which field set it, and the Budget panel's sliders end there.
void TestConfigTables::crossFieldBoundsAreTheRange()
{
    TrainingConfig c;
    c.maxBits = 4;
    const auto target = effectiveRange(*findConfigField("target_bits"), c);
    QCOMPARE(target.range.high, 4.0);
    QVERIFY(target.boundAbove && !target.range.highOpen);
    QCOMPARE(target.boundBy, std::string("max_bits = 4"));
    c.targetBits = 4.5;
    auto issues = validate(c);
    QVERIFY(!issues.empty());
    QCOMPARE(issues.front().field, std::string("target_bits"));
    QVERIFY2(issues.front().message.find("max_bits = 4") != std::string::npos, issues.front().message.c_str());

    c = TrainingConfig{};
    c.beta0 = 5;
    const auto beta = effectiveRange(*findConfigField("beta_final"), c);
    QVERIFY(!beta.boundAbove && beta.range.lowOpen);
    QVERIFY(!beta.range.contains(5.0) && beta.range.contains(50.0));
    c.betaFinal = 5;
    issues = validate(c);
    QVERIFY(!issues.empty() && issues.front().field == "beta_final");

    c = TrainingConfig{};
    c.ticketEpoch = 3;
    const auto warm = effectiveRange(*findConfigField("float_epochs"), c);
    QVERIFY(warm.range.highOpen && warm.range.high == 3.0 && warm.range.contains(2.99) && !warm.range.contains(3.0));
    // No other field bounds the learning rate: the table's range stands.
    const auto* lr = findConfigField("lr");
    QVERIFY(effectiveRange(*lr, c).boundBy.empty());
    QCOMPARE(effectiveRange(*lr, c).range.text(), lr->range.text());
}

// The built-in models are the specs the build compiled in: each is a valid model, the model field's
// help names each, and an unknown name lists them.
void TestConfigTables::zooListIsTheBuiltModels()
{
    QVERIFY(zooModels().size() >= 3);
    const std::string help = findConfigField("model")->help;
    auto modelIssue = [](const TrainingConfig& c) {
        for (const auto& issue : validate(c))
            if (issue.field == "model") return issue.message;
        return std::string();
    };
    for (const auto& zoo : zooModels()) {
        TrainingConfig c;
        c.model = zoo.name;
        QVERIFY2(modelIssue(c).empty(), zoo.name.c_str());
        QVERIFY2(help.find(zoo.name) != std::string::npos, zoo.name.c_str());
        QVERIFY(!zoo.description.empty() && !zoo.spec.empty());
    }
    TrainingConfig c;
    c.model = "vgg";
    QVERIFY2(modelIssue(c).find(zooModelList()) != std::string::npos, modelIssue(c).c_str());
}

QTEST_GUILESS_MAIN(TestConfigTables)
#include "tst_config_tables.moc"
