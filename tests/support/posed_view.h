#pragma once
// A test fixture for the viewport's CPU picking: the default head with a
// posed expression and open jaw, and per view (yaw, pitch) the annotator's
// result beside a raster::WindowRaster of the same camera and size.

#include <gtest/gtest.h>

#include "core/annotate/annotator.h"
#include "core/head/lbs.h"
#include "core/raster/window_raster.h"
#include "core/scene/scene_pipeline.h"

namespace synthforge::testutil {

class PosedViewTest : public ::testing::Test {
protected:
    static constexpr int kSize = 256;

    struct View {
        annotate::Annotations a;
        raster::WindowRaster raster;
    };

    static void SetUpTestSuite() {
        pipeline_ = new generate::SamplePipeline(scene::buildScenePipeline("default", "procedural", kSize, kSize));
        head::HeadParams p;
        p.expr = Eigen::VectorXf::Zero(pipeline_->model->numExpr());
        p.expr[0] = 1.0f;   // not the rest pose, so posing matters
        p.pose[6] = 0.15f;  // jaw open
        pose_ = new head::HeadPose(head::forward(*pipeline_->model, p));
    }
    static void TearDownTestSuite() {
        delete pose_;
        delete pipeline_;
        pose_ = nullptr;
        pipeline_ = nullptr;
    }

    static View view(float yaw, float pitch) {
        camera::OrbitCamera cam;
        cam.yaw = yaw;
        cam.pitch = pitch;
        View v;
        annotate::AnnotationOptions opt;
        opt.segmentation = true;
        v.a = annotate::annotate(*pipeline_->model, *pose_, cam.pinhole(), kSize, kSize, pipeline_->labels.get(), opt);
        const Eigen::Matrix4f toCam = annotate::flameToCamera(cam.pinhole());
        v.raster = raster::WindowRaster(camera::transformPoints(toCam, pose_->vertices), pipeline_->model->faces,
                                        raster::Intrinsics::fromMatrix(cam.pinhole().intrinsicsPixels(kSize, kSize)),
                                        kSize, kSize);
        return v;
    }

    static generate::SamplePipeline* pipeline_;
    static head::HeadPose* pose_;
};
inline generate::SamplePipeline* PosedViewTest::pipeline_ = nullptr;
inline head::HeadPose* PosedViewTest::pose_ = nullptr;

}  // namespace synthforge::testutil
