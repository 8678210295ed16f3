#include "core/io/png_writer.h"

#include <csetjmp>
#include <stdexcept>
#include <string>

#include <png.h>
#include <zlib.h>

#include "core/io/file_util.h"

namespace synthforge::io {

namespace {

void appendBytes(png_structp png, png_bytep data, png_size_t n) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}

void noFlush(png_structp) {}

int filterFlags(PngFilter f) {
    switch (f) {
        case PngFilter::None: return PNG_FILTER_NONE;
        case PngFilter::Sub: return PNG_FILTER_SUB;
        case PngFilter::Up: return PNG_FILTER_UP;
        case PngFilter::Paeth: return PNG_FILTER_PAETH;
        case PngFilter::Adaptive: return PNG_ALL_FILTERS;
    }
    return PNG_FILTER_UP;
}

}  // namespace

std::vector<std::uint8_t> encodePng(const cv::Mat& image, const PngOptions& options) {
    if (image.empty()) throw std::invalid_argument("encodePng: empty image");
    int colorType = 0;
    switch (image.type()) {
        case CV_8UC1: colorType = PNG_COLOR_TYPE_GRAY; break;
        case CV_8UC3: colorType = PNG_COLOR_TYPE_RGB; break;
        case CV_8UC4: colorType = PNG_COLOR_TYPE_RGB_ALPHA; break;
        default:
            throw std::invalid_argument("encodePng: image must be CV_8UC1, CV_8UC3 or CV_8UC4 (got type " +
                                        std::to_string(image.type()) + ")");
    }
    if (options.compression < 0 || options.compression > 9)
        throw std::invalid_argument("encodePng: compression must be 0..9");

    std::vector<std::uint8_t> out;
    out.reserve(image.total() * image.elemSize() / 2);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (!png) throw std::runtime_error("encodePng: libpng could not start");
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        throw std::runtime_error("encodePng: libpng could not start");
    }
    // libpng reports errors by longjmp; nothing with a destructor is created
    // between here and the end, so jumping back is safe.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("encodePng: libpng failed while encoding");
    }
    png_set_write_fn(png, &out, appendBytes, noFlush);
    png_set_IHDR(png, info, static_cast<png_uint_32>(image.cols), static_cast<png_uint_32>(image.rows), 8, colorType,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, options.compression);
    png_set_compression_strategy(png, options.rle ? Z_RLE : Z_DEFAULT_STRATEGY);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filterFlags(options.filter));
    png_write_info(png, info);
    if (image.channels() >= 3) png_set_bgr(png);  // OpenCV stores BGR(A)
    for (int y = 0; y < image.rows; ++y)
        png_write_row(png, const_cast<png_bytep>(image.ptr<std::uint8_t>(y)));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

void writePngFile(const std::string& path, const cv::Mat& image, const PngOptions& options) {
    const std::vector<std::uint8_t> bytes = encodePng(image, options);
    writeFileAtomic(path, bytes.data(), bytes.size());
}

}  // namespace synthforge::io
