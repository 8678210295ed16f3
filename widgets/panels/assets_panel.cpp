#include "widgets/panels/assets_panel.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QGridLayout>
#include <QPushButton>

#include "core/generate/sampler.h"
#include "widgets/panels/scene_document.h"
#include "core/io/srgb.h"

namespace synthforge::widgets {

using generate::AssetSpec;
using generate::AssetType;

namespace {

QColor displayColor(const Eigen::Vector3f& linear) {
    return QColor::fromRgbF(io::srgbEncode(linear.x()), io::srgbEncode(linear.y()), io::srgbEncode(linear.z()));
}

QString typeLabel(AssetType t) {
    switch (t) {
        case AssetType::Glasses: return QObject::tr("Glasses");
        case AssetType::Headwear: return QObject::tr("Headwear");
        case AssetType::Clothing: return QObject::tr("Clothing");
        case AssetType::Hair: return QObject::tr("Hair");
        case AssetType::Beard: return QObject::tr("Beard");
        case AssetType::Facewear: return QObject::tr("Mask");
        case AssetType::Eyebrows: return QObject::tr("Eyebrows");
        case AssetType::Eyelashes: return QObject::tr("Eyelashes");
        case AssetType::Stubble: return QObject::tr("Stubble");
    }
    return {};
}

}  // namespace

QStringList AssetsPanel::styleNames(AssetType type) {
    switch (type) {
        case AssetType::Glasses: return {tr("round"), tr("rectangular")};
        case AssetType::Headwear: return {tr("beanie"), tr("cap")};
        case AssetType::Clothing: return {tr("collar")};
        case AssetType::Hair: {
            QStringList out;
            for (int k = 0; k < generate::kNumHairStyles; ++k)
                out << QString::fromUtf8(generate::hairStyleName(static_cast<generate::HairStyle>(k))).replace('_', ' ');
            return out;
        }
        case AssetType::Beard: {
            QStringList out;
            for (int k = 0; k < generate::kNumBeardStyles; ++k)
                out << QString::fromUtf8(generate::beardStyleName(static_cast<generate::BeardStyle>(k)));
            return out;
        }
        case AssetType::Facewear: return {tr("cloth"), tr("surgical")};
        // One style each: their shapes vary by drawn sizes only.
        case AssetType::Eyebrows: return {tr("brows")};
        case AssetType::Eyelashes: return {tr("lashes")};
        case AssetType::Stubble: return {tr("stubble")};
    }
    return {};
}

int AssetsPanel::styleOf(const AssetSpec& a) {
    switch (a.type) {
        case AssetType::Glasses: return a.glasses.rectangular ? 1 : 0;
        case AssetType::Headwear: return a.headwear.cap ? 1 : 0;
        case AssetType::Clothing: return 0;
        case AssetType::Hair: return static_cast<int>(a.hair.style);
        case AssetType::Beard: return static_cast<int>(a.beard.style);
        case AssetType::Facewear: return a.facewear.pleated ? 1 : 0;
        case AssetType::Eyebrows:
        case AssetType::Eyelashes:
        case AssetType::Stubble: return 0;
    }
    return 0;
}

AssetsPanel::AssetsPanel(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    for (int k = 0; k < generate::kNumAssetTypes; ++k) {
        const auto type = static_cast<AssetType>(k);
        Row& r = rows_[static_cast<std::size_t>(k)];
        r.worn = new QCheckBox(typeLabel(type), this);
        r.worn->setToolTip(tr("Wear %1 (drawn like the dataset sampler draws it)").arg(typeLabel(type).toLower()));
        r.style = new QComboBox(this);
        r.style->addItems(styleNames(type));
        r.style->setToolTip(tr("Style: choosing one redraws the shape in that style"));
        r.color = new QPushButton(this);
        r.color->setFixedWidth(36);
        r.color->setToolTip(type == AssetType::Hair || type == AssetType::Beard || type == AssetType::Eyebrows ||
                                    type == AssetType::Stubble
                                ? tr("Colour (the sampler draws it from melanin; this overrides it)")
                                : tr("Colour"));
        r.random = new QPushButton(tr("Randomise"), this);
        r.random->setToolTip(tr("Draw a new style, shape and colour"));
        grid->addWidget(r.worn, k, 0);
        grid->addWidget(r.style, k, 1);
        grid->addWidget(r.color, k, 2);
        grid->addWidget(r.random, k, 3);
        grid->setColumnStretch(1, 1);

        connect(r.worn, &QCheckBox::toggled, this, [this, type](bool on) {
            if (!syncing_) setWorn(type, on);
        });
        connect(r.style, qOverload<int>(&QComboBox::activated), this, [this, type](int style) { setStyle(type, style); });
        connect(r.random, &QPushButton::clicked, this, [this, type] { randomise(type); });
        connect(r.color, &QPushButton::clicked, this, [this, type] {
            const AssetSpec* a = current(type);
            const QColor start = a ? displayColor(a->material.baseColor) : QColor(Qt::gray);
            const QColor c = QColorDialog::getColor(start, this, tr("%1 colour").arg(typeLabel(type)));
            if (c.isValid()) setColor(type, c);
        });
    }
    connect(doc_, &SceneDocument::changed, this, &AssetsPanel::sync);
    sync();
}

const AssetSpec* AssetsPanel::current(AssetType type) const {
    for (const AssetSpec& a : doc_->scene().assets)
        if (a.type == type) return &a;
    return nullptr;
}

AssetSpec AssetsPanel::draw(AssetType type, int style) {
    // Only this type: the defaults wear others too.
    generate::AssetsSamplerConfig c = generate::AssetsSamplerConfig::none();
    c.of(type).frequency = 1.0;
    if (style >= 0 && type == AssetType::Hair) c.hairStyles = 1u << style;
    if (style >= 0 && type == AssetType::Beard) c.beardStyles = 1u << style;
    // Glasses, hats and masks pick their style from a uniform draw: redraw
    // until it is the one asked for (each is one of two, so this is quick).
    for (int attempt = 0; attempt < 64; ++attempt) {
        const std::vector<AssetSpec> drawn = generate::drawAssets(c, rng_(), 0);
        if (style < 0 || styleOf(drawn.front()) == style) return drawn.front();
    }
    AssetSpec a = generate::drawAssets(c, rng_(), 0).front();
    if (type == AssetType::Glasses) a.glasses.rectangular = style == 1;
    if (type == AssetType::Headwear) a.headwear.cap = style == 1;
    if (type == AssetType::Facewear) a.facewear.pleated = style == 1;
    return a;
}

void AssetsPanel::commit(const AssetSpec& spec, bool remove, const QString& what) {
    scene::Scene s = doc_->scene();
    s.assets.erase(std::remove_if(s.assets.begin(), s.assets.end(), [&](const AssetSpec& a) { return a.type == spec.type; }),
                   s.assets.end());
    if (!remove) {
        s.assets.push_back(spec);
        std::sort(s.assets.begin(), s.assets.end(), [](const AssetSpec& a, const AssetSpec& b) { return a.type < b.type; });
    }
    doc_->apply(s, what);
}

void AssetsPanel::setWorn(AssetType type, bool worn) {
    if ((current(type) != nullptr) == worn) return;
    if (worn) {
        commit(draw(type, -1), false, tr("Wear %1").arg(typeLabel(type).toLower()));
    } else {
        AssetSpec gone;
        gone.type = type;
        commit(gone, true, tr("Take off %1").arg(typeLabel(type).toLower()));
    }
}

void AssetsPanel::setStyle(AssetType type, int style) {
    if (style < 0 || style >= styleNames(type).size()) return;
    const AssetSpec* before = current(type);
    if (before && styleOf(*before) == style) return;
    AssetSpec a = draw(type, style);
    if (before) a.material.baseColor = before->material.baseColor, a.id = before->id;
    commit(a, false, tr("%1 style").arg(typeLabel(type)));
}

void AssetsPanel::setColor(AssetType type, const QColor& srgb) {
    const AssetSpec* before = current(type);
    AssetSpec a = before ? *before : draw(type, -1);
    a.material.baseColor = Eigen::Vector3f(io::srgbDecode(static_cast<float>(srgb.redF())), io::srgbDecode(static_cast<float>(srgb.greenF())),
                                           io::srgbDecode(static_cast<float>(srgb.blueF())));
    commit(a, false, tr("%1 colour").arg(typeLabel(type)));
}

void AssetsPanel::randomise(AssetType type) {
    commit(draw(type, -1), false, tr("Randomise %1").arg(typeLabel(type).toLower()));
}

void AssetsPanel::sync() {
    syncing_ = true;
    for (int k = 0; k < generate::kNumAssetTypes; ++k) {
        const auto type = static_cast<AssetType>(k);
        Row& r = rows_[static_cast<std::size_t>(k)];
        const AssetSpec* a = current(type);
        r.worn->setChecked(a != nullptr);
        r.style->setEnabled(a != nullptr && r.style->count() > 1);
        r.color->setEnabled(a != nullptr);
        if (a) {
            r.style->setCurrentIndex(styleOf(*a));
            const QColor c = displayColor(a->material.baseColor);
            r.color->setStyleSheet(QStringLiteral("background-color: %1").arg(c.name()));
        } else {
            r.color->setStyleSheet(QString());
        }
    }
    syncing_ = false;
}

}  // namespace synthforge::widgets
