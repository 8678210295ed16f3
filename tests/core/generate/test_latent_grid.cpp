// The explorer's grid: axis parsing (values, errors naming the option),
// cells equal to the base sample with both axes set, every cell's image the
// pipeline's own render of that spec, and the sheet's layout.

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "core/annotate/overlays.h"
#include "core/generate/explore/latent_grid.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

TEST(GridAxis, ParsesAxisRangeAndStepsAndRefusesTheRest) {
    const GridAxis yaw = GridAxis::parse("yaw:-0.5:0.5:5", "--rows");
    EXPECT_EQ(yaw.axis.kind, SamplingAxis::Kind::Yaw);
    EXPECT_EQ(yaw.steps, 5);
    EXPECT_DOUBLE_EQ(yaw.value(0), -0.5);
    EXPECT_DOUBLE_EQ(yaw.value(2), 0.0);
    EXPECT_DOUBLE_EQ(yaw.value(4), 0.5);
    const GridAxis expr = GridAxis::parse("expr:3:2:-2:3", "--cols");  // the axis holds a ':'
    EXPECT_EQ(expr.axis.kind, SamplingAxis::Kind::Expr);
    EXPECT_EQ(expr.axis.component, 3);
    EXPECT_DOUBLE_EQ(expr.value(1), 0.0);
    EXPECT_EQ(expr.name(), "expr:3");
    const GridAxis one = GridAxis::parse("seed:7:9:1", "--rows");
    EXPECT_TRUE(one.seed);
    EXPECT_DOUBLE_EQ(one.value(0), 7.0);
    for (const char* bad : {"yaw", "yaw:0:1", "roll:0:1:3", "yaw:a:1:3", "yaw:0:1:0", "yaw:0:1:65", "yaw:0:1:2.5",
                            "seed:-1:3:2", "yaw:0:inf:2", "shape:x:0:1:2"}) {
        try {
            GridAxis::parse(bad, "--rows");
            ADD_FAILURE() << "accepted " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind("--rows", 0), 0u) << bad << " -> " << e.what();
        }
    }
}

TEST(LatentGrid, CellsAreTheBaseSampleWithBothAxesSetAndRenderAsThePipelineDoes) {
    const SamplePipeline p = testutil::tinyPipeline(48);
    GridRequest g;
    g.rows = GridAxis::parse("yaw:-0.6:0.6:3", "--rows");
    g.cols = GridAxis::parse("expr:0:-2:2:2", "--cols");
    g.seed = 5;
    g.index = 2;
    const SampleSpec base = drawSample(p.sampler, *p.model, 5, 2);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 2; ++c) {
            const SampleSpec s = gridCellSpec(p, g, r, c);
            EXPECT_FLOAT_EQ(s.camera.yaw, static_cast<float>(g.rows.value(r)));
            EXPECT_FLOAT_EQ(s.params.expr[0], static_cast<float>(g.cols.value(c)));
            // Everything else is the base sample's.
            EXPECT_EQ(s.camera.pitch, base.camera.pitch);
            EXPECT_EQ(s.params.shape, base.params.shape);
            EXPECT_EQ(s.params.expr.tail(s.params.expr.size() - 1), base.params.expr.tail(base.params.expr.size() - 1));
            EXPECT_EQ(s.z, base.z);
        }
    const GridCells cells = renderGrid(p, g, 2);
    ASSERT_EQ(cells.cells.size(), 6u);
    EXPECT_EQ(cells.captions[5], "yaw 0.60, expr:0 2.00");
    for (int i = 0; i < 6; ++i) {
        const RenderedSample direct = p.render(gridCellSpec(p, g, i / 2, i % 2));
        EXPECT_EQ(cv::norm(cells.cells[static_cast<size_t>(i)].image.image, direct.image.image, cv::NORM_INF), 0.0)
            << "cell " << i;
    }
    // Turning the head changes the picture: the three rows differ.
    EXPECT_GT(cv::norm(cells.cells[0].image.image, cells.cells[4].image.image, cv::NORM_L1), 0.0);
    const cv::Mat sheet = gridSheet(p, g, cells);
    EXPECT_EQ(sheet.cols, 2 * 48 + 3 * annotate::kContactSheetGap);
    EXPECT_EQ(sheet.rows, 3 * 48 + 4 * annotate::kContactSheetGap);
}

TEST(LatentGrid, SeedAxisChangesTheLatentCodeOnlyAndBadOverlaysAreRefused) {
    const SamplePipeline p = testutil::tinyPipeline(32);
    GridRequest g;
    g.rows = GridAxis::parse("seed:1:2:2", "--rows");
    g.cols = GridAxis::parse("jaw:0:0.3:2", "--cols");
    const SampleSpec a = gridCellSpec(p, g, 0, 0), b = gridCellSpec(p, g, 1, 0);
    EXPECT_NE(a.z, b.z);
    EXPECT_EQ(a.z, drawSample(p.sampler, *p.model, 1, 0).z);
    EXPECT_EQ(a.camera.yaw, b.camera.yaw);
    EXPECT_EQ(a.params.shape, b.params.shape);
    EXPECT_THROW(gridCellSpec(p, g, 2, 0), std::invalid_argument);
    g.overlay = "depth";
    EXPECT_THROW(renderGrid(p, g), std::invalid_argument);
    g.overlay = "landmarks";
    EXPECT_EQ(renderGrid(p, g, 1).cells.size(), 4u);
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(LatentGrid, AGivenBaseSampleReplacesTheDrawnOne) {
    const SamplePipeline p = testutil::tinyPipeline(32);
    SampleSpec base = drawSample(p.sampler, *p.model, 9, 4);
    base.params.shape[1] = 1.75f;  // something no draw gives exactly
    base.camera.pitch = 0.123f;
    GridRequest g;
    g.rows = GridAxis::parse("yaw:-0.3:0.3:2", "--rows");
    g.cols = GridAxis::parse("seed:3:4:2", "--cols");
    g.base = base;
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) {
            const SampleSpec s = gridCellSpec(p, g, r, c);
            EXPECT_FLOAT_EQ(s.camera.yaw, static_cast<float>(g.rows.value(r)));
            EXPECT_EQ(s.params.shape[1], 1.75f);
            EXPECT_EQ(s.camera.pitch, 0.123f);
            // z of seed 3 or 4 as sample index 0: what a scene with that z_seed holds.
            EXPECT_EQ(s.z, drawSample(p.sampler, *p.model, 3 + c, 0).z);
        }
}

}  // namespace
}  // namespace synthforge::generate
