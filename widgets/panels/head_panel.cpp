#include "widgets/panels/head_panel.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>

#include "widgets/panels/assets_panel.h"
#include "widgets/panels/param_slider.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
constexpr double kDegPerRad = 57.29577951308232;

// Pose controls: joint, axis, label. Both eyes share one gaze (as the
// sampler draws them), so the eye rows write both eye joints.
struct PoseRow {
    int joint, axis;
    const char* label;
};
constexpr PoseRow kPoseRows[] = {
    {head::kNeck, 0, "Neck pitch"}, {head::kNeck, 1, "Neck yaw"},   {head::kNeck, 2, "Neck roll"},
    {head::kJaw, 0, "Jaw open"},    {head::kJaw, 1, "Jaw side"},    {head::kLeftEye, 0, "Eyes pitch"},
    {head::kLeftEye, 1, "Eyes yaw"},
};
}  // namespace

HeadPanel::HeadPanel(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* outer = new QVBoxLayout(this);

    auto* tools = new QHBoxLayout;
    distribution_ = new QComboBox(this);
    distribution_->addItems({tr("Random: N(0, 1)"), tr("Random: U(−2, 2)")});
    distribution_->setToolTip(tr("Distribution used by the Randomise buttons"));
    tools->addWidget(distribution_);
    findGroup_ = new QComboBox(this);
    findGroup_->addItems({tr("Shape"), tr("Expression")});
    findIndex_ = new QSpinBox(this);
    findIndex_->setPrefix(tr("Go to #"));
    findIndex_->setToolTip(tr("Jump to a component by its index"));
    tools->addWidget(findGroup_);
    tools->addWidget(findIndex_, 1);
    outer->addLayout(tools);
    connect(findIndex_, &QSpinBox::editingFinished, this, [this] {
        findComponent(findGroup_->currentIndex() == 0 ? Group::Shape : Group::Expression, findIndex_->value());
    });

    scroll_ = new QScrollArea(this);
    scroll_->setWidgetResizable(true);
    auto* content = new QWidget;
    auto* body = new QVBoxLayout(content);

    auto* poseGroup = new QGroupBox(tr("Pose (degrees)"), content);
    auto* poseBox = new QVBoxLayout(poseGroup);
    poseBox->addWidget(makeGroupHeader(Group::Pose, tr("Pose")));
    for (const PoseRow& r : kPoseRows) {
        auto* s = new ParamSlider(tr(r.label), -45.0, 45.0, 0.1, 1, poseGroup);
        const int index = 3 * r.joint + r.axis;
        connect(s, &ParamSlider::valueEdited, this, [this, index](double deg) {
            const float rad = static_cast<float>(deg / kDegPerRad);
            if (index / 3 == head::kLeftEye) {
                // Both eyes, one undo step: apply() with the same key merges in a drag.
                scene::Scene sc = doc_->scene();
                sc.params.pose[index] = rad;
                sc.params.pose[3 * head::kRightEye + index % 3] = rad;
                doc_->apply(sc, tr("Eyes"));
            } else {
                doc_->setPoseValue(index, rad);
            }
        });
        wireDrag(s);
        poseBox->addWidget(s);
        pose_.push_back(s);
        poseIndex_.push_back(index);
    }
    body->addWidget(poseGroup);

    auto* assetsGroup = new QGroupBox(tr("Assets"), content);
    auto* assetsBox = new QVBoxLayout(assetsGroup);
    assets_ = new AssetsPanel(doc_, assetsGroup);
    assetsBox->addWidget(assets_);
    body->addWidget(assetsGroup);

    auto* shapeGroup = new QGroupBox(tr("Shape (σ)"), content);
    shapeBox_ = new QVBoxLayout(shapeGroup);
    shapeBox_->addWidget(makeGroupHeader(Group::Shape, tr("Shape")));
    body->addWidget(shapeGroup);
    auto* exprGroup = new QGroupBox(tr("Expression (σ)"), content);
    exprBox_ = new QVBoxLayout(exprGroup);
    exprBox_->addWidget(makeGroupHeader(Group::Expression, tr("Expression")));
    body->addWidget(exprGroup);
    body->addStretch(1);
    scroll_->setWidget(content);
    outer->addWidget(scroll_, 1);

    connect(doc_, &SceneDocument::modelChanged, this, &HeadPanel::rebuild);
    connect(doc_, &SceneDocument::changed, this, &HeadPanel::sync);
    rebuild();
}

QWidget* HeadPanel::makeGroupHeader(Group group, const QString& title) {
    auto* w = new QWidget;
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    auto* random = new QPushButton(tr("Randomise"), w);
    random->setToolTip(tr("Draw every %1 value from the chosen distribution").arg(title.toLower()));
    auto* zero = new QPushButton(tr("Reset"), w);
    zero->setToolTip(tr("Set every %1 value to zero").arg(title.toLower()));
    row->addStretch(1);
    row->addWidget(random);
    row->addWidget(zero);
    connect(random, &QPushButton::clicked, this, [this, group] { randomise(group); });
    connect(zero, &QPushButton::clicked, this, [this, group] { reset(group); });
    return w;
}

void HeadPanel::wireDrag(ParamSlider* s) {
    connect(s, &ParamSlider::dragStarted, doc_, &SceneDocument::beginDrag);
    connect(s, &ParamSlider::dragFinished, doc_, &SceneDocument::endDrag);
}

void HeadPanel::rebuild() {
    // Recreate the component sliders for the model's basis sizes. Done only
    // when the model changes, never per edit.
    auto refill = [this](std::vector<ParamSlider*>& list, QVBoxLayout* box, int n, const QString& prefix, bool shape) {
        for (ParamSlider* s : list) delete s;
        list.clear();
        for (int i = 0; i < n; ++i) {
            auto* s = new ParamSlider(QStringLiteral("%1%2").arg(prefix).arg(i), -3.0, 3.0, 0.01, 2);
            connect(s, &ParamSlider::valueEdited, this, [this, i, shape](double v) {
                if (shape)
                    doc_->setShape(i, static_cast<float>(v));
                else
                    doc_->setExpr(i, static_cast<float>(v));
            });
            wireDrag(s);
            box->addWidget(s);
            list.push_back(s);
        }
    };
    refill(shape_, shapeBox_, doc_->numShape(), QStringLiteral("s"), true);
    refill(expr_, exprBox_, doc_->numExpr(), QStringLiteral("e"), false);
    findIndex_->setRange(0, std::max(0, std::max(doc_->numShape(), doc_->numExpr()) - 1));
    sync();
}

void HeadPanel::sync() {
    const head::HeadParams& p = doc_->scene().params;
    for (std::size_t i = 0; i < shape_.size(); ++i)
        shape_[i]->setValueSilently(static_cast<Eigen::Index>(i) < p.shape.size() ? p.shape[i] : 0.0);
    for (std::size_t i = 0; i < expr_.size(); ++i)
        expr_[i]->setValueSilently(static_cast<Eigen::Index>(i) < p.expr.size() ? p.expr[i] : 0.0);
    for (std::size_t i = 0; i < pose_.size(); ++i) pose_[i]->setValueSilently(p.pose[poseIndex_[i]] * kDegPerRad);
}

void HeadPanel::setDistribution(Distribution d) { distribution_->setCurrentIndex(d == Distribution::Normal ? 0 : 1); }

void HeadPanel::randomise(Group group) {
    const bool normal = distribution_->currentIndex() == 0;
    std::normal_distribution<float> n01(0.0f, 1.0f);
    std::uniform_real_distribution<float> u22(-2.0f, 2.0f);
    auto draw = [&] { return normal ? n01(rng_) : u22(rng_); };
    scene::Scene s = doc_->scene();
    if (group == Group::Shape) {
        for (Eigen::Index i = 0; i < s.params.shape.size(); ++i) s.params.shape[i] = std::clamp(draw(), -3.0f, 3.0f);
    } else if (group == Group::Expression) {
        for (Eigen::Index i = 0; i < s.params.expr.size(); ++i) s.params.expr[i] = std::clamp(draw(), -3.0f, 3.0f);
    } else {
        // Pose in σ makes no sense; a small random pose keeps the face plausible:
        // each control's draw scaled to about ±10 degrees.
        for (std::size_t i = 0; i < poseIndex_.size(); ++i) {
            const float rad = std::clamp(draw(), -3.0f, 3.0f) * 5.0f / static_cast<float>(kDegPerRad);
            s.params.pose[poseIndex_[i]] = rad;
            if (poseIndex_[i] / 3 == head::kLeftEye) s.params.pose[3 * head::kRightEye + poseIndex_[i] % 3] = rad;
        }
        s.params.pose[3 * head::kJaw] = std::abs(s.params.pose[3 * head::kJaw]);  // a jaw opens, it does not close in
    }
    doc_->apply(s, tr("Randomise %1").arg(group == Group::Shape ? tr("shape")
                                          : group == Group::Expression ? tr("expression") : tr("pose")));
}

void HeadPanel::reset(Group group) {
    scene::Scene s = doc_->scene();
    if (group == Group::Shape)
        s.params.shape.setZero();
    else if (group == Group::Expression)
        s.params.expr.setZero();
    else
        for (int j = head::kNeck; j < head::kNumJoints; ++j) s.params.pose.segment<3>(3 * j).setZero();
    doc_->apply(s, tr("Reset %1").arg(group == Group::Shape ? tr("shape")
                                      : group == Group::Expression ? tr("expression") : tr("pose")));
}

bool HeadPanel::findComponent(Group group, int index) {
    const auto& list = group == Group::Shape ? shape_ : expr_;
    if (group == Group::Pose || index < 0 || index >= static_cast<int>(list.size())) return false;
    scroll_->ensureWidgetVisible(list[index]);
    list[index]->spinBox()->setFocus();
    list[index]->spinBox()->selectAll();
    return true;
}

}  // namespace synthforge::widgets
