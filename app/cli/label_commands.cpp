// `synthforge head labels`: the built-in UV label map of the default head
// (8-bit class ids, DESIGN's default class table), with an optional class
// table JSON and a colour preview.

#include <array>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "app/cli/commands.h"
#include "core/annotate/class_table.h"
#include "core/annotate/label_map_io.h"
#include "core/head/default_head/label_map.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/io/file_util.h"

namespace synthforge::cli {

namespace {

struct LabelArgs {
    std::string model, out, classes, preview;
    int size = 1024;
};

void runLabels(const LabelArgs& a) {
    const head::HeadModel model = head::loadHeadModel(a.model);
    const cv::Mat ids = head::default_head::buildDefaultLabelMap(model, a.size);
    annotate::saveLabelMap(a.out, ids);
    const annotate::ClassTable& table = annotate::ClassTable::defaultTable();
    if (!a.classes.empty()) annotate::saveClassTable(a.classes, table);
    if (!a.preview.empty()) {
        std::vector<unsigned char> png;
        if (!cv::imencode(".png", annotate::colorizeLabels(ids, table), png))
            throw std::runtime_error(a.preview + ": PNG encoding failed");
        io::writeFileAtomic(a.preview, png.data(), png.size());
    }

    std::array<long, 256> count{};
    for (int y = 0; y < ids.rows; ++y)
        for (int x = 0; x < ids.cols; ++x) ++count[ids.at<std::uint8_t>(y, x)];
    std::cout << "wrote " << a.out << " (" << a.size << "x" << a.size << " class ids, default class table)";
    if (!a.classes.empty()) std::cout << ", " << a.classes;
    if (!a.preview.empty()) std::cout << ", " << a.preview;
    std::cout << "\n";
    const double total = static_cast<double>(ids.total());
    for (int id = 0; id < 256; ++id) {
        if (count[id] == 0) continue;
        const annotate::ClassEntry* e = table.findById(id);
        std::cout << "  " << std::setw(3) << id << " " << std::left << std::setw(16) << (e ? e->name : "?") << std::right
                  << std::setw(9) << count[id] << " texels  " << std::fixed << std::setprecision(2)
                  << 100.0 * count[id] / total << " %\n";
    }
}

}  // namespace

void registerLabelCommands(CLI::App& app) {
    CLI::App* headCmd = headGroup(app);

    auto a = std::make_shared<LabelArgs>();
    CLI::App* labels = headCmd->add_subcommand(
        "labels", "Write the default head's UV label map: a lossless 8-bit PNG of class ids (DESIGN's default table)");
    labels
        ->add_option("MODEL", a->model, "Head model; only 'default' (the built-in default head) has a label map for now")
        ->required()
        ->check([](const std::string& m) -> std::string {
            if (m == "default") return {};
            return "'" + m + "': only the default head has a built-in label map (use MODEL 'default')";
        });
    labels->add_option("-o,--output", a->out, "Output label map PNG (8-bit class ids, v up: the face island upright)")
        ->required();
    labels->add_option("--size", a->size, "Width and height of the map in texels")
        ->check(CLI::Range(16, annotate::kMaxLabelMapSize))
        ->capture_default_str();
    labels->add_option("--classes", a->classes, "Also write the class table (JSON) the ids refer to");
    labels->add_option("--preview", a->preview, "Also write a colour preview PNG (class colours)");
    labels->callback([a] { runLabels(*a); });
}

}  // namespace synthforge::cli
