#include "widgets/label_editor/label_color_import_dialog.h"

#include <limits>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace synthforge::widgets {

namespace {

QPixmap swatch(int r, int g, int b) {
    QPixmap p(16, 16);
    p.fill(QColor(r, g, b));
    return p;
}

void fillClassCombo(QComboBox* combo, const annotate::ClassTable& classes) {
    for (const annotate::ClassEntry& c : classes.entries())
        combo->addItem(QIcon(swatch(c.color[0], c.color[1], c.color[2])),
                       QStringLiteral("%1 (%2)").arg(QString::fromStdString(c.name)).arg(c.id), c.id);
}

}  // namespace

int nearestClass(const labelmap::Rgb& rgb, const annotate::ClassTable& classes) {
    int best = -1;
    float bestD = std::numeric_limits<float>::infinity();
    for (const annotate::ClassEntry& c : classes.entries()) {
        const float d = labelmap::deltaE76(rgb, {c.color[0], c.color[1], c.color[2]});
        if (d < bestD) {
            bestD = d;
            best = c.id;
        }
    }
    return best;
}

LabelColorImportDialog::LabelColorImportDialog(const labelmap::ColorImport& import,
                                               const annotate::ClassTable& classes, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Colours that matched no class"));
    auto* box = new QVBoxLayout(this);
    const QLocale loc;
    const double total = static_cast<double>(import.ids.total());
    QString text = tr("%1 of %2 pixels (%3 %) matched no class within ΔE %4; %5 distinct colours.")
                       .arg(loc.toString(static_cast<qulonglong>(import.unmatchedCount)))
                       .arg(loc.toString(static_cast<qulonglong>(total)))
                       .arg(total > 0 ? 100.0 * import.unmatchedCount / total : 0.0, 0, 'f', 2)
                       .arg(import.options.maxDeltaE)
                       .arg(import.distinctUnmatchedColors);
    if (!import.unmatchedBoxes.empty()) {
        const labelmap::TexelRect& b = import.unmatchedBoxes.front();
        text += tr(" Largest unmatched area: x %1..%2, y %3..%4.")
                    .arg(b.x).arg(b.x + b.width - 1).arg(b.y).arg(b.y + b.height - 1);
    }
    summary_ = new QLabel(text, this);
    summary_->setWordWrap(true);
    box->addWidget(summary_);
    box->addWidget(new QLabel(tr("Choose a class for each colour (preset to the nearest):"), this));

    auto* inner = new QWidget;
    auto* grid = new QGridLayout(inner);
    int row = 0;
    for (const labelmap::UnmatchedColor& u : import.unmatchedColors) {
        auto* sw = new QLabel(inner);
        sw->setPixmap(swatch(u.rgb[0], u.rgb[1], u.rgb[2]));
        grid->addWidget(sw, row, 0);
        grid->addWidget(new QLabel(tr("rgb(%1, %2, %3): %4 px, first at x %5 y %6")
                                       .arg(u.rgb[0]).arg(u.rgb[1]).arg(u.rgb[2])
                                       .arg(static_cast<qulonglong>(u.count))
                                       .arg(u.firstAt.x).arg(u.firstAt.y),
                                   inner),
                        row, 1);
        auto* combo = new QComboBox(inner);
        fillClassCombo(combo, classes);
        combo->setCurrentIndex(combo->findData(nearestClass(u.rgb, classes)));
        grid->addWidget(combo, row, 2);
        combos_.push_back(combo);
        colors_.push_back(u.rgb);
        ++row;
    }
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    box->addWidget(scroll, 1);

    auto* form = new QFormLayout;
    fallback_ = new QComboBox(this);
    fillClassCombo(fallback_, classes);
    fallback_->setCurrentIndex(std::max(0, fallback_->findData(static_cast<int>(annotate::kSkin))));
    fallback_->setToolTip(tr("Unmatched pixels whose colour is not near any colour above"));
    form->addRow(tr("Everything else:"), fallback_);
    box->addLayout(form);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    box->addWidget(buttons);
    resize(560, 420);
}

QString LabelColorImportDialog::summary() const { return summary_->text(); }

std::vector<std::pair<labelmap::Rgb, int>> LabelColorImportDialog::assignments() const {
    std::vector<std::pair<labelmap::Rgb, int>> out;
    for (std::size_t i = 0; i < combos_.size(); ++i) out.emplace_back(colors_[i], combos_[i]->currentData().toInt());
    return out;
}

std::optional<int> LabelColorImportDialog::fallback() const {
    const QVariant v = fallback_->currentData();
    return v.isValid() ? std::optional<int>(v.toInt()) : std::nullopt;
}

}  // namespace synthforge::widgets
