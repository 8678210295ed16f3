#pragma once
// Head parameters: a slider per shape and expression component (in σ,
// −3..3, with numeric entry), pose in degrees, and per-group randomise and
// reset; the assets worn (AssetsPanel). Every change goes through the SceneDocument's undo stack.

#include <cstdint>
#include <random>
#include <vector>

#include <QWidget>

class QComboBox;
class QScrollArea;
class QSpinBox;
class QVBoxLayout;

namespace synthforge::widgets {

class AssetsPanel;
class ParamSlider;
class SceneDocument;

class HeadPanel : public QWidget {
    Q_OBJECT
public:
    enum class Group { Shape, Expression, Pose };
    enum class Distribution { Normal, Uniform };  ///< N(0, 1) or U(−2, 2)

    explicit HeadPanel(SceneDocument* doc, QWidget* parent = nullptr);

    /// Randomises or resets one group as a single undo step.
    void randomise(Group group);
    void reset(Group group);
    void setDistribution(Distribution d);
    /// Seeds the panel's random numbers (tests want repeatable draws).
    void setRandomSeed(std::uint32_t seed) { rng_.seed(seed); }
    /// Scrolls to and focuses a component's spin box; false if out of range.
    bool findComponent(Group group, int index);

    const std::vector<ParamSlider*>& shapeSliders() const { return shape_; }
    const std::vector<ParamSlider*>& exprSliders() const { return expr_; }
    AssetsPanel* assetsPanel() const { return assets_; }

private:
    void rebuild();  // the model changed: one slider per component
    void sync();     // document -> widgets
    QWidget* makeGroupHeader(Group group, const QString& title);
    void wireDrag(ParamSlider* s);

    SceneDocument* doc_;
    QScrollArea* scroll_;
    QVBoxLayout* shapeBox_;
    QVBoxLayout* exprBox_;
    QComboBox* distribution_;
    QComboBox* findGroup_;
    QSpinBox* findIndex_;
    AssetsPanel* assets_ = nullptr;
    std::vector<ParamSlider*> shape_, expr_;
    std::vector<ParamSlider*> pose_;  ///< (slider, pose value index) pairs via poseIndex_
    std::vector<int> poseIndex_;
    std::mt19937 rng_{12345};
};

}  // namespace synthforge::widgets
