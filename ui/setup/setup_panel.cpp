#include "setup/setup_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "setup/config_rows.h"
#include "csq/dataset_preview.h"
#include "csq/zoo.h"
#include "setup/dataset_field.h"
#include "run/run_folders.h"

namespace csq::ui {

using csq::TrainingConfig;

SetupPanel::SetupPanel(QWidget* parent) : QWidget(parent), body_(new QWidget), rows_(new ConfigRows(this))
{
    connect(rows_, &ConfigRows::edited, this, &SetupPanel::edited);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto* column = new QVBoxLayout(body_);
    column->setContentsMargins(8, 8, 8, 8);
    column->setSpacing(10);
    buildModelGroup();
    buildDataGroup();
    buildQuantizationGroup();
    buildOptimizationGroup();
    buildRunGroup();
    rows_->addRemaining([this] { return addGroup(tr("Other settings")); });
    column->addStretch(1);
    scroll->setWidget(body_);
    setConfig(TrainingConfig{});
}

QFormLayout* SetupPanel::addGroup(const QString& title)
{
    auto* box = new QGroupBox(title, body_);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(6);
    static_cast<QVBoxLayout*>(body_->layout())->addWidget(box);
    return form;
}

void SetupPanel::buildModelGroup()
{
    auto* form = addGroup(tr("Model"));
    auto* model = model_ = new QComboBox;
    for (const auto& zoo : csq::zooModels()) {
        model->addItem(QString::fromStdString(zoo.name), QString::fromStdString(zoo.name));
        model->setItemData(model->count() - 1, QString::fromStdString(zoo.description), Qt::ToolTipRole);
    }
    connect(model, &QComboBox::currentIndexChanged, this, &SetupPanel::edited);
    rows_->add(
        form, QStringLiteral("model"), tr("Network"), model,
        tr("The zoo network to quantize. LeNet-5 suits (Fashion-)MNIST; ResNet-20 suits CIFAR."),
        {nullptr, nullptr, [model](TrainingConfig& c) { c.model = model->currentData().toString().toStdString(); },
         [model](const TrainingConfig& c) {
             model->setCurrentIndex(model->findData(QString::fromStdString(c.model)));
         }});
    // The note sits in the chooser's own cell, under the combo box, so the override shows where it applies.
    modelNote_ = new QLabel(tr("overridden by the model file below"), model->parentWidget());
    modelNote_->setStyleSheet(QStringLiteral("color: #b26a00; font-style: italic;"));
    modelNote_->setVisible(false);
    static_cast<QVBoxLayout*>(model->parentWidget()->layout())->insertWidget(1, modelNote_);
    modelSpec_ = rows_->addFile(
        form, "model_spec", tr("Model file"), tr("Models (*.pt *.pth *.json)"),
        tr("Your own network, replacing the zoo network above: any PyTorch model saved with "
           "torch.jit.script(model).save(path) (its Conv2d and Linear layers are quantized, its weights are the "
           "start), or a JSON model spec. You can also drop the file on the window. Clear it to use the zoo "
           "network again."));
    connect(modelSpec_, &QLineEdit::textChanged, this, &SetupPanel::updateModelOverride);
    rows_->addFile(form, "weights", tr("Pretrained weights"), tr("Weights (*.pt *.pth *.zip)"),
                   tr("Float weights to start from: a PyTorch state_dict (.pt, .pth, saved with torch.save) or a "
                      "TorchScript file. Parameters are matched by name; the bits are written from them."));
    rows_->addFile(form, "name_map", tr("Weight name map"), tr("Name map (*.json)"),
                   tr("A JSON object {\"their.name\": \"our.name\", …} renaming the imported weights' names to "
                      "the network's; needs pretrained weights."));
    rows_->addText(form, "layer_rules", tr("Layer rules"), tr("e.g. features.0.0=float, classifier.*=8, dw.*=4.."),
                   tr("Layers by name or glob (* any text), separated by commas, a later rule winning: NAME=float "
                      "keeps a layer float, NAME=8 gives it its own max bits, NAME=4.. at least 4 bits whatever "
                      "the budget (the other layers pay), NAME=4..8 both. Hover a heatmap row for a layer's full "
                      "name; the Sensitivity tab shows which layers deserve a floor."));
    rows_->addFlag(form, "float", tr("Float baseline"),
                   tr("Train the same network without quantization: the accuracy to compare the scheme against."));
    rows_->addChoice<csq::EdgeLayerPolicy>(
        form, "edge_layers", tr("First and last layer"),
        {{tr("searched like the others"), csq::EdgeLayerPolicy::Quantize},
         {tr("held at max bits"), csq::EdgeLayerPolicy::MaxBits}},
        tr("Held layers keep every bit and stay outside the budget term (common practice "
           "for the input and output layers)."));
}

void SetupPanel::buildDataGroup()
{
    auto* form = addGroup(tr("Data"));
    dataset_ = new DatasetField;
    connect(dataset_, &DatasetField::pathChanged, this, &SetupPanel::edited);
    rows_->add(form, QStringLiteral("data"), tr("Dataset"), dataset_, dataset_->toolTip(),
               {nullptr, nullptr, [this](TrainingConfig& c) { c.data = dataset_->path().toStdString(); },
                [this](const TrainingConfig& c) {
                    dataset_->setPath(QString::fromStdString(c.data));  // quietly: no configChanged while loading
                    updateImageFields();
                }});
    rows_->addWhole(form, "train_limit", tr("Training images"), tr(" images"),
                    tr("Use only this many training images (a seeded subset) for quick experiments; 0 uses all."),
                    tr("all"));
    rows_->addReal(form, "validation_fraction", tr("Validation split"), QString(),
                   tr("Fraction of the training images held out (seeded) and evaluated after each epoch; 0: none."));
    rows_->addWhole(form, "crop_padding", tr("Random crop padding"), tr(" px"),
                    tr("Augmentation: pad by this many pixels and crop back at a random offset; 0: off."), tr("off"));
    rows_->addFlag(form, "horizontal_flip", tr("Horizontal flips"),
                   tr("Augmentation: flip half the training images left–right (CIFAR; not digits)."));
    rows_->addWhole(form, "image_size", tr("Image size"), tr(" px"),
                    tr("Image folders: every image is resized to this square size (IDX and CIFAR keep their own)."));
    rows_->addChoice<int>(
        form, "image_channels", tr("Image channels"), {{tr("automatic"), 0}, {tr("gray (1)"), 1}, {tr("RGB (3)"), 3}},
        tr("Image folders: read as gray or RGB; automatic reads gray only when every image is gray."));
    rows_->addText(form, "input_normalization", tr("Input normalization"), tr("dataset, none or 0.5/0.25"),
                   tr("What the model's input is: dataset (each channel's mean and std of the training images), "
                      "none (pixels / 255) or means/stds per channel in pixel / 255 (torchvision's Normalize, "
                      "e.g. 0.485,0.456,0.406/0.229,0.224,0.225). Your own model expects the input it was "
                      "trained on."));
    connect(dataset_, &DatasetField::pathChanged, this, &SetupPanel::updateImageFields);
    updateImageFields();
}

void SetupPanel::updateImageFields()
{
    // Image size and channels only shape image folders: IDX and CIFAR files carry their own.
    const auto format = csq::detectDatasetFormat(dataset_->path().toStdString());
    const bool applies = format.empty() || format == "folder";
    for (const char* key : {"image_size", "image_channels"})
        if (auto* e = editor(QString::fromLatin1(key))) {
            e->setEnabled(applies);
            e->setStatusTip(applies ? QString()
                                    : tr("Only image folders are resized or recoloured; this dataset keeps its own."));
        }
}

void SetupPanel::buildQuantizationGroup()
{
    auto* form = addGroup(tr("Quantization and schedule"));
    rows_->addWhole(form, "max_bits", tr("Max bits N"), tr(" bits"),
                    tr("Bit planes per weight: every layer starts with N bits and the search keeps a subset."));
    rows_->addWhole(form, "uniform_bits", tr("Uniform bits"), tr(" bits"),
                    tr("A uniform baseline: every layer held at this many bits, no search; at most max bits. "
                       "Off searches a mixed scheme."),
                    tr("off (search)"));
    rows_->addFile(form, "scheme", tr("Held scheme"), tr("Scheme (scheme.json summary.json)"),
                   tr("A found scheme retrained: every layer held at the kept bits of this scheme.json (a run's), no "
                      "search, the weights trained from the float warm-up as a uniform baseline's are."));
    rows_->addChoice<csq::BudgetMode>(
        form, "budget_mode", tr("Budget measures"),
        {{tr("layer-average bits"), csq::BudgetMode::Layer},
         {tr("size-weighted bits"), csq::BudgetMode::Size},
         {tr("MAC-weighted bits"), csq::BudgetMode::BitOps}},
        tr("Which precision the target means: the mean of the layers' bits (as in the CSQ paper), bits "
           "weighted by each layer's weights (the model's size) or by its multiply-accumulates per image "
           "(its compute: BitOPs at the activation bits)."));
    rows_->addWhole(form, "epochs", tr("Epochs"), tr(" epochs"),
                    tr("Search plus post-ticket epochs; the ticket epoch (Budget panel) must not exceed this."));
    rows_->addReal(form, "float_epochs", tr("Float warm-up"), tr(" epochs"),
                   tr("Plain float training first; the bit planes are then written from the trained weights, so the "
                      "search refines a trained network. Must end before the ticket."));
    rows_->addWhole(form, "finetune_epochs", tr("Finetune epochs"), tr(" epochs"),
                    tr("Optional phase after the search epochs, with the scheme fixed."), tr("none"));
    rows_->addChoice<csq::FinetuneMode>(
        form, "finetune_mode", tr("After the ticket"),
        {{tr("train on the kept-bit lattice"), csq::FinetuneMode::Lattice},
         {tr("train bit logits, β rewound"), csq::FinetuneMode::Bits}},
        tr("Lattice: a float weight rounded onto the codes the kept bits express, straight-through (better "
           "accuracy). Bits: P and Q keep training with β rewound to β0, as in the CSQ reference code."));
    rows_->addReal(
        form, "budget_ramp", tr("Budget ramp"), tr(" of the search"),
        tr("The budget's target falls from max bits to the target over this share of the search (from the "
           "end of the float warm-up to the ticket), so bits are pruned gradually while the loss still "
           "weighs in (better schemes at low budgets); 0: the target applies at once, as in the CSQ paper."));
    rows_->addReal(form, "budget_power", tr("Bit price power"), QString(),
                   tr("1: the budget term prices every bit of a layer alike (the CSQ paper). Above 1: a layer's bits "
                      "cost (its bits / target)^(power − 1), so layers rich in bits are pruned first and no layer is "
                      "driven to one bit while others keep many."));
    rows_->addReal(
        form, "size_price", tr("Size price exponent"), QString(),
        tr("Size-weighted budgets: a layer's bits cost its size to this power in the budget term. 1: in "
           "proportion to size (the CSQ paper's form); below 1 a big layer's bits cost less than their share "
           "of the model size, so the search cuts big layers less; the target stays size-weighted."));
    rows_->addReal(form, "beta0", tr("Initial β0"), QString(),
                   tr("Gate temperature at the start; β grows geometrically to β_final at the ticket."));
    rows_->addWhole(form, "act_bits", tr("Activation bits"), tr(" bits"),
                    tr("Quantize activations to this many bits (straight-through gradient); 0: float activations."),
                    tr("float"));
    rows_->addFlag(
        form, "ticket_meets_budget", tr("Ticket meets the budget"),
        tr("At the ticket, set the marginal bits (by mask logit) so the frozen scheme meets the target exactly."));
    rows_->addFlag(
        form, "contiguous_bits", tr("Contiguous kept bits"),
        tr("At the ticket, each layer keeps as many bits as the search chose, as one contiguous run ending at "
           "its highest kept bit: evenly spaced codes instead of the uneven grid a dropped middle bit leaves."));
    rows_->addReal(form, "bit_logit_init", tr("Bit logit magnitude"), QString(),
                   tr("|logit| written for set and clear bits when the float weights are turned into bit planes."));
    rows_->addReal(form, "mask_logit_init", tr("Mask logit init"), QString(),
                   tr("Initial mask logits m_b (> 0: every bit starts kept)."));
}

void SetupPanel::buildOptimizationGroup()
{
    auto* form = addGroup(tr("Optimization"));
    const QList<QPair<QString, csq::OptimizerKind>> kinds{{tr("SGD"), csq::OptimizerKind::Sgd},
                                                          {tr("Adam"), csq::OptimizerKind::Adam}};
    rows_->addChoice(form, "optimizer", tr("Float optimizer"), kinds,
                     tr("Optimizer of the float parameters (biases, batch norm, the float model's weights)."));
    rows_->addChoice(form, "bit_optimizer", tr("Bit optimizer"), kinds,
                     tr("Optimizer of the bit logits P, Q, the scales and the mask logits."));
    rows_->addReal(form, "bit_lr", tr("Bit learning rate"), QString(),
                   tr("Learning rate of the bit logits and scales."));
    rows_->addFlag(form, "bit_lr_follows_beta", tr("Bit rate follows β"),
                   tr("Divide the bit and mask learning rates by β/β0, so a step moves each gate's argument βx by a "
                      "constant amount as β grows (otherwise gates flip every few steps at large β)."));
    rows_->addReal(form, "mask_lr", tr("Mask learning rate"), QString(),
                   tr("Learning rate of the mask logits m_b; 0 uses the bit learning rate."));
    rows_->addReal(form, "momentum", tr("Momentum"), QString(), tr("SGD momentum, in [0, 1)."));
    rows_->addFlag(form, "nesterov", tr("Nesterov"), tr("Nesterov momentum for SGD."));
    rows_->addReal(form, "weight_decay", tr("Weight decay"), QString(), tr("L2 decay of the float parameters."));
    rows_->addReal(form, "bit_weight_decay", tr("Bit weight decay"), QString(),
                   tr("Decay of the bit logits and scales: pulls the logits towards half-open gates; usually 0."));
    rows_->addReal(form, "mask_weight_decay", tr("Mask weight decay"), QString(), tr("Decay of the mask logits."));
    rows_->addReal(form, "warmup_epochs", tr("Warm-up"), tr(" epochs"),
                   tr("Linear learning-rate warm-up before the cosine decay."));
    rows_->addWhole(form, "batch_size", tr("Batch size"), tr(" images"), tr("Images per optimization step."));
}

void SetupPanel::buildRunGroup()
{
    auto* form = addGroup(tr("Run"));
    rows_->addWhole(form, "threads", tr("CPU threads"), QString(),
                    tr("Intra-op threads of the run; 0 uses the machine's physical cores."), tr("physical cores"));
    rows_->addWhole(form, "seed", tr("Seed"), QString(),
                    tr("Seeds the initialization, the data order, the subsets and the augmentation."));
    rows_->addChoice<csq::DevicePreference>(form, "device", tr("Device"),
                                            {{tr("automatic"), csq::DevicePreference::Auto},
                                             {tr("CPU"), csq::DevicePreference::Cpu},
                                             {tr("CUDA"), csq::DevicePreference::Cuda}},
                                            tr("Where to train: automatic picks CUDA when LibTorch has a device."));
    rows_->addChoice<csq::DivergencePolicy>(
        form, "on_divergence", tr("If the loss diverges"),
        {{tr("stop the run"), csq::DivergencePolicy::Stop},
         {tr("roll back, halve the rates"), csq::DivergencePolicy::Rollback}},
        tr("When the loss turns NaN or infinite: stop with the reason, or go back to the last checkpoint with "
           "half the learning rates (at most %1 times).")
            .arg(csq::kMaxRollbacks));
    rows_->addWhole(form, "log_every", tr("Snapshot every"), tr(" batches"),
                    tr("How often the run reports a snapshot to the plots and metrics.csv."));
    rows_->addWhole(form, "prefetch_batches", tr("Prefetch"), tr(" batches"),
                    tr("Batches gathered, augmented and converted ahead on a worker thread while the current one "
                       "trains; 0 prepares each batch inside the step."),
                    tr("none"));
    auto* row = new QWidget;
    auto* line = new QHBoxLayout(row);
    line->setContentsMargins(0, 0, 0, 0);
    outDir_ = new QLineEdit(row);
    outDir_->setPlaceholderText(tr("automatic: a new folder in the runs folder below"));
    outDir_->setClearButtonEnabled(true);
    auto* browse = new QToolButton(row);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the run directory"));
    line->addWidget(outDir_, 1);
    line->addWidget(browse);
    connect(outDir_, &QLineEdit::textChanged, this, &SetupPanel::edited);
    connect(browse, &QToolButton::clicked, this, [this] {
        if (const auto dir = QFileDialog::getExistingDirectory(this, tr("Run directory"), outDir_->text());
            !dir.isEmpty())
            outDir_->setText(dir);
    });
    rows_->add(form, QStringLiteral("out_dir"), tr("Run directory"), row,
               tr("Where config.json, metrics.csv, scheme.json, checkpoint.pt and quantized.pt are written; "
                  "empty: <runs folder>/<model>-<date>-<time>."),
               {nullptr, nullptr, [this](TrainingConfig& c) { c.outDir = outDir_->text().trimmed().toStdString(); },
                [this](const TrainingConfig& c) { outDir_->setText(QString::fromStdString(c.outDir)); }});

    // The app's runs folder: not a config key (a run never needs it), an app setting shown here.
    auto* rootRow = new QWidget;
    auto* rootLine = new QHBoxLayout(rootRow);
    rootLine->setContentsMargins(0, 0, 0, 0);
    runsRoot_ = new QLabel(QDir::toNativeSeparators(ui::runsRoot()), rootRow);
    runsRoot_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    runsRoot_->setWordWrap(true);
    auto* change = new QPushButton(tr("Change…"), rootRow);
    change->setToolTip(tr("Choose the folder that new runs without a run directory go to"));
    rootLine->addWidget(runsRoot_, 1);
    rootLine->addWidget(change);
    connect(change, &QPushButton::clicked, this, [this] {
        if (const auto dir = QFileDialog::getExistingDirectory(this, tr("Runs folder"), ui::runsRoot()); !dir.isEmpty())
            setRunsRoot(dir);
    });
    auto* rootLabel = new QLabel(tr("Runs folder"));
    rootLabel->setToolTip(tr("Runs with an empty run directory are written here, each in <model>-<date>-<time>."));
    form->addRow(rootLabel, rootRow);
}

void SetupPanel::setRunsRoot(const QString& folder)
{
    ui::setRunsRoot(folder);
    runsRoot_->setText(QDir::toNativeSeparators(ui::runsRoot()));
}

QString SetupPanel::runsRootText() const
{
    return runsRoot_->text();
}

void SetupPanel::setConfig(const TrainingConfig& config)
{
    loading_ = true;
    rows_->write(config);
    loading_ = false;
}

void SetupPanel::applyTo(TrainingConfig& config) const
{
    rows_->read(config);
}

void SetupPanel::showIssues(const std::vector<csq::ConfigIssue>& issues)
{
    rows_->showIssues(issues);
}

void SetupPanel::setRunning(bool running)
{
    body_->setEnabled(!running);
    body_->setToolTip(running ? tr("A run uses the settings it started with; stop it to change them. "
                                   "The budget and schedule change live in the Budget panel.")
                              : QString());
}

QWidget* SetupPanel::editor(const QString& key) const
{
    return rows_->editor(key);
}

QString SetupPanel::issueText(const QString& key) const
{
    return rows_->issueText(key);
}

QStringList SetupPanel::keys() const
{
    return rows_->keys();
}

void SetupPanel::edited()
{
    if (!loading_) Q_EMIT configChanged();
}

void SetupPanel::updateModelOverride()
{
    const bool overridden = !modelSpec_->text().trimmed().isEmpty();
    model_->setEnabled(!overridden);
    modelNote_->setVisible(overridden);
}

}  // namespace csq::ui
