#include "widgets/panels/latent_panel.h"

#include <limits>

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

LatentPanel::LatentPanel(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* box = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    seed_ = new QSpinBox(this);
    seed_->setPrefix(tr("z seed "));
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setKeyboardTracking(false);
    auto* random = new QPushButton(tr("Randomise"), this);
    row->addWidget(seed_, 1);
    row->addWidget(random);
    box->addLayout(row);
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    box->addWidget(note_);
    box->addStretch(1);
    connect(seed_, &QSpinBox::valueChanged, this, [this](int v) { doc_->setZSeed(static_cast<std::uint64_t>(v)); });
    connect(random, &QPushButton::clicked, this, &LatentPanel::randomise);
    connect(doc_, &SceneDocument::changed, this, &LatentPanel::sync);
    sync();
}

void LatentPanel::randomise() {
    std::uniform_int_distribution<int> d(0, std::numeric_limits<int>::max());
    doc_->setZSeed(static_cast<std::uint64_t>(d(rng_)));
}

void LatentPanel::sync() {
    const scene::Scene& s = doc_->scene();
    const QSignalBlocker block(seed_);
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(s.zSeed, std::numeric_limits<int>::max())));
    note_->setText(s.z.size() > 0 ? tr("Using the scene's stored z (%1 values); pick a seed to replace it.").arg(s.z.size())
                                  : tr("z is drawn from the seed (standard normal)."));
}

}  // namespace synthforge::widgets
