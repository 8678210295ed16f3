// The viewport's baked albedo texture (render/albedo_texture.h) is upright:
// its rows follow the label map's, so hair texels are hair-coloured and skin
// texels skin-coloured. A Qt Test because the texture is a QImage; the
// viewport's CPU picking is tested in tests/core/raster and tests/core/annotate.

#include <algorithm>

#include <QTest>
#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/generate/appearance.h"
#include "core/scene/scene_pipeline.h"
#include "render/albedo_texture.h"

using namespace synthforge;

class TestAlbedoTexture : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        pipeline_ = scene::buildScenePipeline("default", "procedural", 256, 256);
        QVERIFY(pipeline_.labels);
    }

    void albedoTextureIsUpright() {
        // The texture's rows follow the label map's (row 0 at v = 1), so the
        // label map says which colour each texel should have.
        const cv::Mat ids = pipeline_.labels->original();
        const generate::AppearanceAtlas atlas(*pipeline_.model, ids, 512);
        Eigen::VectorXf z = Eigen::VectorXf::Zero(64);
        z[0] = 1.5f;  // darker skin than hair ...
        z[5] = -1.5f; // ... and dark hair: both far from the background
        const generate::Appearance app = generate::appearanceFromLatent(z);
        const int n = 256;
        const QImage tex = render::bakeAlbedoTexture(atlas, app, n);
        QCOMPARE(tex.width(), n);
        const int skin = annotate::ClassTable::defaultTable().byName("skin").id;
        const int hair = annotate::ClassTable::defaultTable().byName("hair").id;
        auto meanOf = [&](int cls) {
            Eigen::Vector3d sum = Eigen::Vector3d::Zero();
            int count = 0;
            for (int y = 0; y < n; ++y)
                for (int x = 0; x < n; ++x) {
                    const int iy = (y * ids.rows) / n + ids.rows / (2 * n), ix = (x * ids.cols) / n + ids.cols / (2 * n);
                    if (ids.at<std::uint8_t>(iy, ix) != cls) continue;
                    const QRgb c = tex.pixel(x, y);
                    sum += Eigen::Vector3d(qRed(c), qGreen(c), qBlue(c));
                    ++count;
                }
            return Eigen::Vector3d(sum / std::max(1, count));
        };
        auto display = [](const generate::Rgb& c) {
            return Eigen::Vector3d(render::albedoToDisplay(c.x()), render::albedoToDisplay(c.y()),
                                   render::albedoToDisplay(c.z()));
        };
        const Eigen::Vector3d skinMean = meanOf(skin), hairMean = meanOf(hair);
        const Eigen::Vector3d skinExpected = display(app.skin);
        qInfo("skin texels %.0f %.0f %.0f (skin colour %.0f %.0f %.0f), hair texels %.0f %.0f %.0f", skinMean.x(),
              skinMean.y(), skinMean.z(), skinExpected.x(), skinExpected.y(), skinExpected.z(), hairMean.x(),
              hairMean.y(), hairMean.z());
        // Skin texels carry noise and cheek flush around the skin colour.
        QVERIFY((skinMean - skinExpected).cwiseAbs().maxCoeff() < 20.0);
        // Hair texels are clearly not skin.
        QVERIFY((hairMean - skinMean).norm() > 30.0);
    }

private:
    generate::SamplePipeline pipeline_;
};

QTEST_MAIN(TestAlbedoTexture)
#include "test_albedo_texture.moc"
