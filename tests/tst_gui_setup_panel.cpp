// SetupPanel: every knob round-trips between a config and the panel, an invalid setting shows the
// engine's message beside its own field (and only there), edits emit configChanged, and the
// dataset field recognizes IDX, CIFAR-10 and CIFAR-100 folders by their file names; a model spec
// visibly overrides the zoo network until it is cleared; number boxes offer the field table's ranges.
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "csq/config_fields.h"
#include "setup/config_rows.h"
#include "setup/dataset_field.h"
#include "run/run_folders.h"
#include "setup/setup_panel.h"

using namespace csq::ui;

namespace {

void touch(const QDir& dir, const QString& name)
{
    QFile file(dir.filePath(name));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("x");
}

}  // namespace

class TestSetupPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsEveryKnobButTheLiveOnes();
    void roundTripsAConfig();
    void spinBoxesOfferTheTablesRanges();
    void knobsWithoutWordsStillGetRows();
    void issuesShowBesideTheirField();
    void editsEmitConfigChanged();
    void detectsDatasetFormats();
    void modelSpecOverridesTheZooModel();
    void imageFieldsApplyToImageFoldersOnly();
    void runsFolderIsNamedOnceShownAndRemembered();
};

void TestSetupPanel::showsEveryKnobButTheLiveOnes()
{
    SetupPanel panel;
    const auto keys = panel.keys();
    // Every knob the config file knows, so a new TrainingConfig field cannot be forgotten here.
    const auto all = QJsonDocument::fromJson(QByteArray::fromStdString(csq::toJson(csq::TrainingConfig{}))).object();
    QVERIFY(all.size() > 30);
    QStringList live;  // the Budget panel's, as the field table marks them
    for (const auto& f : csq::configFields())
        if (f.live) live << QLatin1String(f.key);
    QVERIFY(live.contains(QStringLiteral("target_bits")));  // the Budget panel's, never a Setup row
    for (const auto& key : all.keys())
        if (!live.contains(key)) QVERIFY2(keys.contains(key), qPrintable(key));
    for (const auto& key : live) QVERIFY2(!keys.contains(key), qPrintable(key));
    for (const auto& key : keys) QVERIFY2(!panel.editor(key)->toolTip().isEmpty(), qPrintable(key));
}

// A number's spin box offers what validate() accepts: a closed end of the table's range is the box's
// end, an open end lies just inside it.
void TestSetupPanel::spinBoxesOfferTheTablesRanges()
{
    SetupPanel panel;
    int checked = 0;
    for (const auto& f : csq::configFields()) {
        auto* editor = panel.editor(QLatin1String(f.key));
        double low = 0, high = 0;
        if (auto* whole = qobject_cast<QSpinBox*>(editor)) {
            low = whole->minimum();
            high = whole->maximum();
        } else if (auto* real = qobject_cast<QDoubleSpinBox*>(editor)) {
            low = real->minimum();
            high = real->maximum();
        } else {
            continue;
        }
        const auto& r = f.range;
        QVERIFY2(r.bounded(), f.key);
        if (std::isfinite(r.low)) QVERIFY2(r.lowOpen ? low > r.low && low < r.low + 1e-3 : low == r.low, f.key);
        if (std::isfinite(r.high)) QVERIFY2(r.highOpen ? high < r.high && high > r.high - 1e-3 : high == r.high, f.key);
        QVERIFY2(r.contains(low) && r.contains(high), f.key);
        ++checked;
    }
    QVERIFY(checked > 25);
}

// A knob nobody has written a row for yet still shows: addRemaining gives every non-live table field
// of a number, switch or text a row (the table's help as tooltip) that round-trips, in one group made
// on first need; a second call, with nothing left, makes none.
void TestSetupPanel::knobsWithoutWordsStillGetRows()
{
    QWidget host;
    ConfigRows rows;
    int groups = 0;
    const auto group = [&] {
        ++groups;
        return new QFormLayout(&host);
    };
    rows.addRemaining(group);
    QCOMPARE(groups, 1);
    for (const auto& f : csq::configFields()) {
        auto* editor = rows.editor(QLatin1String(f.key));
        const bool isEnum =
            f.kind() == csq::FlagKind::Text && !std::holds_alternative<csq::ConfigMember<std::string>>(f.member);
        QVERIFY2(f.live || isEnum ? !editor : editor && editor->toolTip().contains(QString::fromUtf8(f.help)), f.key);
    }
    csq::TrainingConfig in;
    in.bitLr = 0.125;
    in.seed = 7;
    in.horizontalFlip = true;
    in.weights = "/tmp/w.pt";
    in.maskLogitInit = 2.5;
    rows.write(in);
    csq::TrainingConfig out;
    rows.read(out);
    QCOMPARE(out.bitLr, in.bitLr);
    QCOMPARE(out.seed, in.seed);
    QCOMPARE(out.horizontalFlip, in.horizontalFlip);
    QCOMPARE(out.weights, in.weights);
    QCOMPARE(out.maskLogitInit, in.maskLogitInit);
    rows.addRemaining(group);
    QCOMPARE(groups, 1);
}

void TestSetupPanel::roundTripsAConfig()
{
    csq::TrainingConfig in;
    in.model = "resnet20";
    in.modelSpec = "/tmp/specs/net.json";
    in.weights = "/tmp/weights/net.pth";
    in.nameMap = "/tmp/weights/names.json";
    in.floatModel = true;
    in.edgeLayers = csq::EdgeLayerPolicy::MaxBits;
    in.data = "/tmp/some/data";
    in.trainLimit = 2000;
    in.validationFraction = 0.1;
    in.cropPadding = 4;
    in.horizontalFlip = true;
    in.imageSize = 96;
    in.imageChannels = 3;
    in.maxBits = 6;
    in.uniformBits = 3;
    in.budgetMode = csq::BudgetMode::Size;
    in.epochs = 3;
    in.finetuneEpochs = 2;
    in.floatEpochs = 1.5;
    in.budgetRamp = 0.5;
    in.ticketMeetsBudget = !in.ticketMeetsBudget;
    in.bitLrFollowsBeta = !in.bitLrFollowsBeta;
    in.beta0 = 2;
    in.actBits = 4;
    in.optimizer = csq::OptimizerKind::Adam;
    in.lr = 0.0003;
    in.bitLr = 0.002;
    in.momentum = 0.8;
    in.weightDecay = 1e-4;
    in.warmupEpochs = 0.5;
    in.batchSize = 64;
    in.threads = 2;
    in.seed = 7;
    in.device = csq::DevicePreference::Cpu;
    in.onDivergence = csq::DivergencePolicy::Rollback;
    in.logEvery = 2;
    in.outDir = "/tmp/run";
    SetupPanel panel;
    panel.setConfig(in);
    csq::TrainingConfig out;
    // The live knobs are not the panel's: copy them so the comparison covers the rest.
    for (const auto& f : csq::configFields())
        if (f.live) csq::setNumericValue(f, out, *csq::numericValue(f, in));
    panel.applyTo(out);
    QCOMPARE(QString::fromStdString(csq::toJson(out)), QString::fromStdString(csq::toJson(in)));
    // The new fields by name too, so a JSON writer that skipped one could not hide it.
    QCOMPARE(out.modelSpec, in.modelSpec);
    QCOMPARE(out.weights, in.weights);
    QCOMPARE(out.nameMap, in.nameMap);
    QCOMPARE(out.imageSize, 96);
    QCOMPARE(out.imageChannels, 3);
    in.imageChannels = 1;  // every choice of the channel chooser maps back to itself
    panel.setConfig(in);
    panel.applyTo(out);
    QCOMPARE(out.imageChannels, 1);
    in.imageChannels = 0;
    in.modelSpec = in.weights = in.nameMap = "";  // cleared paths come back empty, not as stale text
    panel.setConfig(in);
    panel.applyTo(out);
    QCOMPARE(out.imageChannels, 0);
    QVERIFY(out.modelSpec.empty() && out.weights.empty() && out.nameMap.empty());
}

void TestSetupPanel::issuesShowBesideTheirField()
{
    SetupPanel panel;
    csq::TrainingConfig config;
    config.epochs = 2;
    config.finetuneEpochs = 0;
    config.warmupEpochs = 5;  // must be < epochs + finetune epochs
    panel.setConfig(config);
    panel.applyTo(config);
    const auto issues = csq::validate(config);
    QVERIFY(!issues.empty());
    panel.showIssues(issues);
    QVERIFY(panel.issueText(QStringLiteral("warmup_epochs")).contains(QStringLiteral("epochs")));
    QVERIFY(panel.issueText(QStringLiteral("epochs")).isEmpty());
    QVERIFY(panel.issueText(QStringLiteral("bit_lr")).isEmpty());
    panel.showIssues({});
    QVERIFY(panel.issueText(QStringLiteral("warmup_epochs")).isEmpty());
}

void TestSetupPanel::editsEmitConfigChanged()
{
    SetupPanel panel;
    QSignalSpy changed(&panel, &SetupPanel::configChanged);
    panel.setConfig(csq::TrainingConfig{});
    QCOMPARE(changed.count(), 0);  // the program setting values is not an edit
    auto* epochs = qobject_cast<QSpinBox*>(panel.editor(QStringLiteral("epochs")));
    QVERIFY(epochs);
    epochs->setValue(12);
    QCOMPARE(changed.count(), 1);
    csq::TrainingConfig config;
    panel.applyTo(config);
    QCOMPARE(config.epochs, 12);
    qobject_cast<QComboBox*>(panel.editor(QStringLiteral("model")))->setCurrentIndex(0);
    panel.applyTo(config);
    QCOMPARE(config.model, std::string("mlp"));
    QCOMPARE(changed.count(), 2);
}

void TestSetupPanel::detectsDatasetFormats()
{
    QTemporaryDir root;
    QDir dir(root.path());
    QCOMPARE(DatasetField::detectFormat(root.path()), QString());
    QCOMPARE(DatasetField::detectFormat(dir.filePath(QStringLiteral("missing"))), QString());

    dir.mkdir(QStringLiteral("idx"));
    QDir idx(dir.filePath(QStringLiteral("idx")));
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte"})
        touch(idx, QLatin1String(f));
    QCOMPARE(DatasetField::detectFormat(idx.path()), QString());  // one file short
    touch(idx, QStringLiteral("t10k-labels-idx1-ubyte.gz"));
    QCOMPARE(DatasetField::detectFormat(idx.path()), QStringLiteral("IDX"));

    dir.mkpath(QStringLiteral("c10/cifar-10-batches-bin"));
    QDir c10(dir.filePath(QStringLiteral("c10/cifar-10-batches-bin")));
    touch(c10, QStringLiteral("data_batch_1.bin"));
    touch(c10, QStringLiteral("test_batch.bin"));
    QCOMPARE(DatasetField::detectFormat(dir.filePath(QStringLiteral("c10"))), QStringLiteral("CIFAR-10"));

    dir.mkdir(QStringLiteral("c100"));
    QDir c100(dir.filePath(QStringLiteral("c100")));
    touch(c100, QStringLiteral("train.bin"));
    touch(c100, QStringLiteral("test.bin"));
    QCOMPARE(DatasetField::detectFormat(c100.path()), QStringLiteral("CIFAR-100"));

    DatasetField field;
    field.setPath(c100.path());
    QVERIFY(field.formatText().contains(QStringLiteral("CIFAR-100")));
    field.setPath(root.path());
    QVERIFY(field.formatText().contains(QStringLiteral("no recognized dataset")));
}

// Image size and channels only shape image folders: disabled for IDX and CIFAR data, enabled for an
// image folder (and while no dataset is recognized yet).
void TestSetupPanel::imageFieldsApplyToImageFoldersOnly()
{
    QTemporaryDir root;
    QDir dir(root.path());
    dir.mkdir(QStringLiteral("idx"));
    QDir idx(dir.filePath(QStringLiteral("idx")));
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz"})
        touch(idx, QLatin1String(f));
    dir.mkpath(QStringLiteral("folder/train/cat"));
    dir.mkpath(QStringLiteral("folder/test/cat"));
    touch(QDir(dir.filePath(QStringLiteral("folder/train/cat"))), QStringLiteral("a.png"));
    touch(QDir(dir.filePath(QStringLiteral("folder/test/cat"))), QStringLiteral("b.png"));

    SetupPanel panel;
    csq::TrainingConfig config;
    auto enabled = [&](const char* key) { return panel.editor(QString::fromLatin1(key))->isEnabled(); };
    config.data = idx.path().toStdString();
    panel.setConfig(config);
    QVERIFY(!enabled("image_size") && !enabled("image_channels"));
    config.data = dir.filePath(QStringLiteral("folder")).toStdString();
    panel.setConfig(config);
    QVERIFY2(DatasetField::detectFormat(dir.filePath(QStringLiteral("folder"))) != QString(),
             "the folder is a dataset");
    QVERIFY(enabled("image_size") && enabled("image_channels"));
    config.data = idx.path().toStdString();
    panel.setConfig(config);
    QVERIFY(!enabled("image_size"));
}

// Runs without a directory go to one folder that names the app once (not …/csq-studio/CSQ Studio/),
// shown in the setup; a changed folder is remembered for the next window.
void TestSetupPanel::runsFolderIsNamedOnceShownAndRemembered()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QCoreApplication::setApplicationName(QStringLiteral("CSQ Studio"));  // as the app names itself
    QSettings().remove(QStringLiteral("runs/root"));
    const auto root = csq::ui::runsRoot();
    QVERIFY2(root.endsWith(QStringLiteral("/csq-studio/runs")) && !root.contains(QStringLiteral("CSQ Studio")),
             qPrintable(root));
    csq::TrainingConfig config;
    QVERIFY(csq::ui::defaultRunDir(config).startsWith(root + QStringLiteral("/lenet5-")));
    SetupPanel panel;
    QCOMPARE(panel.runsRootText(), QDir::toNativeSeparators(root));
    QTemporaryDir other;
    panel.setRunsRoot(other.path());
    QCOMPARE(csq::ui::runsRoot(), QDir::cleanPath(other.path()));
    QCOMPARE(panel.runsRootText(), QDir::toNativeSeparators(QDir::cleanPath(other.path())));
    SetupPanel next;
    QCOMPARE(next.runsRootText(), panel.runsRootText());
    QVERIFY(csq::ui::defaultRunDir(config).startsWith(QDir::cleanPath(other.path()) + QStringLiteral("/lenet5-")));
    QSettings().remove(QStringLiteral("runs/root"));
}

void TestSetupPanel::modelSpecOverridesTheZooModel()
{
    SetupPanel panel;
    panel.show();  // visibility of the note is only meaningful on a shown panel
    auto* model = qobject_cast<QComboBox*>(panel.editor(QStringLiteral("model")));
    auto* spec = panel.editor(QStringLiteral("model_spec"))->findChild<QLineEdit*>();
    QVERIFY(model && spec);
    auto note = [&] {
        for (auto* label : model->parentWidget()->findChildren<QLabel*>())
            if (label->text().contains(QStringLiteral("overridden"))) return label;
        return static_cast<QLabel*>(nullptr);
    };
    QVERIFY(note());
    QVERIFY(model->isEnabled());
    QVERIFY(!note()->isVisible());

    QSignalSpy changed(&panel, &SetupPanel::configChanged);
    spec->setText(QStringLiteral("/tmp/my-net.json"));  // typed by the user
    QVERIFY(!model->isEnabled());
    QVERIFY(note()->isVisible());
    QCOMPARE(changed.count(), 1);
    csq::TrainingConfig config;
    panel.applyTo(config);
    QCOMPARE(config.modelSpec, std::string("/tmp/my-net.json"));

    spec->clear();  // the line edit's clear button
    QVERIFY(model->isEnabled());
    QVERIFY(!note()->isVisible());

    csq::TrainingConfig loaded;
    loaded.modelSpec = "/tmp/other.json";  // a config loaded from a file overrides it too
    panel.setConfig(loaded);
    QVERIFY(!model->isEnabled());
    panel.setConfig(csq::TrainingConfig{});
    QVERIFY(model->isEnabled());

    // A path that names no file is noted at once, beside the field.
    auto* weights = panel.editor(QStringLiteral("weights"))->findChild<QLineEdit*>();
    QVERIFY(weights);
    weights->setText(QStringLiteral("/no/such/weights.pth"));
    bool noted = false;
    for (auto* label : panel.editor(QStringLiteral("weights"))->findChildren<QLabel*>())
        noted = noted || (label->isVisible() && label->text().contains(QStringLiteral("no such file")));
    QVERIFY(noted);
}

QTEST_MAIN(TestSetupPanel)
#include "tst_gui_setup_panel.moc"
