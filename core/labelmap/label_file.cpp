#include "core/labelmap/label_file.h"

#include <array>
#include <stdexcept>

#include "core/annotate/label_map_io.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"

namespace synthforge::labelmap {

void checkIdsInTable(const cv::Mat& ids, const annotate::ClassTable& classes, const std::string& source) {
    std::array<long long, 256> firstAt;
    firstAt.fill(-1);
    for (int y = 0; y < ids.rows; ++y) {
        const auto* row = ids.ptr<std::uint8_t>(y);
        for (int x = 0; x < ids.cols; ++x)
            if (firstAt[row[x]] < 0) firstAt[row[x]] = static_cast<long long>(y) * ids.cols + x;
    }
    std::string missing;
    for (int id = 0; id < 256; ++id) {
        if (firstAt[static_cast<std::size_t>(id)] < 0 || classes.findById(id)) continue;
        const long long at = firstAt[static_cast<std::size_t>(id)];
        missing += (missing.empty() ? "" : ", ") + std::to_string(id) + " (first at x=" +
                   std::to_string(at % ids.cols) + " y=" + std::to_string(at / ids.cols) + ")";
    }
    if (!missing.empty()) throw std::runtime_error(source + ": class ids: not in the class table: " + missing);
}

LabelMapFiles loadLabelMapFiles(const std::string& pngPath, const std::string& tablePath, int expectedSize) {
    annotate::ClassTable classes = annotate::loadClassTable(tablePath);
    if (classes.empty()) throw std::runtime_error(tablePath + ": classes: the class table is empty");
    const cv::Mat ids = annotate::loadLabelMap(pngPath);
    if (ids.rows != ids.cols)
        throw std::runtime_error(pngPath + ": size: " + std::to_string(ids.cols) + "x" + std::to_string(ids.rows) +
                                 " is not square (a UV atlas covers the unit square)");
    if (expectedSize > 0 && ids.rows != expectedSize)
        throw std::runtime_error(pngPath + ": size: " + std::to_string(ids.cols) + "x" + std::to_string(ids.rows) +
                                 ", expected " + std::to_string(expectedSize) + "x" + std::to_string(expectedSize));
    checkIdsInTable(ids, classes, pngPath);
    return {LabelCanvas::fromMat(ids), std::move(classes)};
}

void saveLabelMapFiles(const std::string& pngPath, const std::string& tablePath, const LabelCanvas& canvas,
                       const annotate::ClassTable& classes) {
    if (canvas.empty()) throw std::invalid_argument("canvas: nothing to save (empty canvas)");
    const cv::Mat ids = canvas.toMat();
    try {
        checkIdsInTable(ids, classes, "canvas");
    } catch (const std::runtime_error& e) {
        throw std::invalid_argument(e.what());
    }
    annotate::saveClassTable(tablePath, classes);
    annotate::saveLabelMap(pngPath, ids);
}

cv::Mat colorPreview(const LabelCanvas& canvas, const annotate::ClassTable& classes) {
    if (canvas.empty()) throw std::invalid_argument("canvas: empty");
    return annotate::colorizeLabels(canvas.toMat(), classes);
}

void saveColorPreview(const std::string& pngPath, const LabelCanvas& canvas, const annotate::ClassTable& classes) {
    const std::vector<std::uint8_t> png = io::encodePng(colorPreview(canvas, classes));
    io::writeFileAtomic(pngPath, png.data(), png.size());
}

}  // namespace synthforge::labelmap
