#include "window/about_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

#include "csq/runtime.h"
#include "csq/version.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

QString AboutDialog::versionsText()
{
    return QStringLiteral("CSQ Studio %1\nLibTorch %2%3\nBoost %4\nQt %5 (built with %6)\nQCustomPlot %7")
        .arg(QString::fromUtf8(csq::kVersion), QString::fromStdString(csq::torchVersion()),
             csq::cudaAvailable() ? QStringLiteral(" (CUDA)") : QStringLiteral(" (CPU)"),
             QString::fromStdString(csq::boostVersion()), QString::fromLatin1(qVersion()),
             QStringLiteral(QT_VERSION_STR), QStringLiteral(QCUSTOMPLOT_VERSION_STR));
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About CSQ Studio"));
    auto* column = new QVBoxLayout(this);
    column->setSpacing(12);
    auto* title = new QLabel(tr("<h2>CSQ Studio %1</h2>").arg(QString::fromUtf8(csq::kVersion)), this);
    auto* blurb = new QLabel(tr("Watch a mixed-precision quantization scheme form with CSQ (Continuous Sparsification "
                                "Quantization): bit planes and per-layer bit masks relaxed by gates whose temperature "
                                "grows, steered by a budget on the average bit-width."),
                             this);
    blurb->setWordWrap(true);
    auto* versions = new QLabel(versionsText().toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")), this);
    versions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    versions->setTextFormat(Qt::RichText);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    column->addWidget(title);
    column->addWidget(blurb);
    column->addWidget(versions);
    column->addWidget(buttons);
    setMinimumWidth(460);
}

}  // namespace csq::ui
