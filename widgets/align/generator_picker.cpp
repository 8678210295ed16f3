#include "widgets/align/generator_picker.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace synthforge::widgets {

namespace {
constexpr int kProcedural = 0, kTorchScript = 1;
}  // namespace

GeneratorPicker::GeneratorPicker(QWidget* parent, Qt::Orientation layout)
    : QWidget(parent),
      kind_(new QComboBox),
      file_(new QLineEdit),
      browse_(new QPushButton(tr("…"))),
      psi_(new QDoubleSpinBox) {
    kind_->addItem(tr("procedural"));
    kind_->addItem(tr("TorchScript file"));
    kind_->setToolTip(tr("The generator whose density is sampled and aligned against. A TorchScript generator "
                         "runs in the synthforge CLI, not in the studio"));
    file_->setPlaceholderText(tr("generator.pt"));
    file_->setToolTip(tr("The TorchScript generator (--generator FILE.pt)"));
    browse_->setToolTip(tr("Choose a TorchScript generator (*.pt)"));
    // The CLI's --psi range.
    psi_->setRange(0.01, 2.0);
    psi_->setSingleStep(0.05);
    psi_->setDecimals(2);
    psi_->setValue(0.7);
    psi_->setToolTip(tr("Truncation psi of the TorchScript generator (--psi)"));
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(file_, 1);
    fileRow->addWidget(browse_);
    if (layout == Qt::Horizontal) {
        auto* row = new QHBoxLayout(this);
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(new QLabel(tr("Generator")));
        row->addWidget(kind_);
        row->addLayout(fileRow, 1);
        row->addWidget(new QLabel(tr("psi")));
        row->addWidget(psi_);
    } else {
        auto* form = new QFormLayout(this);
        form->setContentsMargins(0, 0, 0, 0);
        form->addRow(tr("Generator"), kind_);
        form->addRow(tr("File"), fileRow);
        form->addRow(tr("psi"), psi_);
    }
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        syncEnabled();
        emit changed();
    });
    connect(file_, &QLineEdit::textChanged, this, &GeneratorPicker::changed);
    connect(psi_, &QDoubleSpinBox::valueChanged, this, &GeneratorPicker::changed);
    connect(browse_, &QPushButton::clicked, this, &GeneratorPicker::browse);
    syncEnabled();
}

bool GeneratorPicker::torchScript() const { return kind_->currentIndex() == kTorchScript; }

QString GeneratorPicker::torchScriptFile() const { return file_->text().trimmed(); }

QString GeneratorPicker::generator() const {
    return torchScript() ? torchScriptFile() : QStringLiteral("procedural");
}

double GeneratorPicker::psi() const { return psi_->value(); }

void GeneratorPicker::setProcedural() { kind_->setCurrentIndex(kProcedural); }

void GeneratorPicker::setTorchScriptFile(const QString& path) {
    file_->setText(path);
    kind_->setCurrentIndex(kTorchScript);
}

void GeneratorPicker::setPsi(double psi) { psi_->setValue(psi); }

void GeneratorPicker::browse() {
    const QString start = torchScriptFile().isEmpty() ? QString() : QFileInfo(torchScriptFile()).path();
    const QString f = QFileDialog::getOpenFileName(this, tr("Open a TorchScript generator"), start,
                                                   tr("TorchScript generators (*.pt);;All files (*)"));
    if (!f.isEmpty()) setTorchScriptFile(f);
}

void GeneratorPicker::syncEnabled() {
    const bool ts = torchScript();
    file_->setEnabled(ts);
    browse_->setEnabled(ts);
    psi_->setEnabled(ts);
}

}  // namespace synthforge::widgets
