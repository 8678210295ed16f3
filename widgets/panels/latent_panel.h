#pragma once
// The generator's latent code: a seed that picks z (scene::Scene::latent) and
// a Randomise button. A scene opened from a dataset carries its exact z;
// choosing a seed replaces it.

#include <random>

#include <QWidget>

class QLabel;
class QSpinBox;

namespace synthforge::widgets {

class SceneDocument;

class LatentPanel : public QWidget {
    Q_OBJECT
public:
    explicit LatentPanel(SceneDocument* doc, QWidget* parent = nullptr);
    void randomise();
    QSpinBox* seedBox() const { return seed_; }

private:
    void sync();
    SceneDocument* doc_;
    QSpinBox* seed_;
    QLabel* note_;
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace synthforge::widgets
