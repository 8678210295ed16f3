#include "core/dataset/verification_pairs.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"
#include "core/io/pickle.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

bool isFlag(const io::PyValue& v) {
    return v.kind == io::PyValue::Kind::Bool || (v.kind == io::PyValue::Kind::Int && (v.integer == 0 || v.integer == 1));
}

}  // namespace

VerificationBin parseVerificationBin(const std::uint8_t* data, std::size_t size, const std::string& source) {
    const io::PyRef root = io::parsePickle(data, size, source);
    using K = io::PyValue::Kind;
    const auto bad = [&](const std::string& why) { throw std::runtime_error(source + ": " + why); };
    if (!root || (root->kind != K::Tuple && root->kind != K::List) || root->items.size() != 2)
        bad("expected a pair (images, is-same flags), as InsightFace writes verification sets");
    const io::PyValue& images = *root->items[0];
    const io::PyValue& flags = *root->items[1];
    if (images.kind != K::List && images.kind != K::Tuple) bad("images: expected a list of encoded images");
    if (flags.kind != K::List && flags.kind != K::Tuple && flags.kind != K::Array)
        bad("is-same flags: expected a list of booleans");
    VerificationBin out;
    for (std::size_t i = 0; i < images.items.size(); ++i) {
        const io::PyValue& im = *images.items[i];
        if (im.kind != K::Bytes) bad("images[" + std::to_string(i) + "]: expected bytes, got " + im.kindName());
        if (im.text.empty()) bad("images[" + std::to_string(i) + "]: empty");
        out.images.emplace_back(im.text.begin(), im.text.end());
    }
    if (flags.kind == K::Array) {
        // A numpy bool array (some conversions write one).
        const io::NdArray& a = flags.array;
        if (a.shape.size() != 1) bad("is-same flags: expected a 1-d array, got shape " + a.shapeString());
        for (double v : a.toDouble()) out.same.push_back(v != 0);
    } else {
        for (std::size_t i = 0; i < flags.items.size(); ++i) {
            const io::PyValue& f = *flags.items[i];
            if (!isFlag(f)) bad("is-same flags[" + std::to_string(i) + "]: expected a boolean, got " + f.kindName());
            out.same.push_back(f.kind == K::Bool ? f.boolean : f.integer != 0);
        }
    }
    if (out.same.empty()) bad("no pairs");
    if (out.images.size() != 2 * out.same.size())
        bad(std::to_string(out.images.size()) + " images for " + std::to_string(out.same.size()) +
            " pairs (pair i is images 2i and 2i+1)");
    return out;
}

VerificationBin readVerificationBin(const std::string& path) {
    const io::MappedFile file(path, 4ull << 30);
    return parseVerificationBin(file.data(), file.size(), path);
}

LfwPairs readLfwPairs(const std::string& pairsTxt, const std::string& imageRoot) {
    std::ifstream in(pairsTxt);
    if (!in) throw std::runtime_error(pairsTxt + ": cannot be opened");
    LfwPairs out;
    std::string line;
    std::size_t n = 0;
    const auto bad = [&](const std::string& why) {
        throw std::runtime_error(pairsTxt + ": line " + std::to_string(n) + ": " + why);
    };
    const auto count = [&](const std::string& s, const char* what) {
        if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
            bad(std::string(what) + " '" + s + "' is not a count");
        return std::stoi(s);
    };
    const auto image = [&](const std::string& name, const std::string& number) {
        if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == ".." || name == ".")
            bad("name '" + name + "' is not a folder name");
        const int k = count(number, "image number");
        char file[32];
        std::snprintf(file, sizeof file, "_%04d.jpg", k);
        return (fs::path(imageRoot) / name / (name + file)).string();
    };
    bool header = true;
    while (std::getline(in, line)) {
        ++n;
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string s; words >> s;) w.push_back(s);
        if (w.empty()) continue;
        if (header) {
            header = false;
            if (w.size() == 2) {
                out.folds = count(w[0], "fold count");
                out.pairsPerFold = count(w[1], "pairs per fold");
            } else if (w.size() == 1) {
                out.pairsPerFold = count(w[0], "pair count");
            } else {
                bad("expected \"<folds> <pairs per fold>\" or \"<pairs>\"");
            }
            if (out.folds < 1 || out.pairsPerFold < 1) bad("counts must be positive");
            continue;
        }
        if (w.size() == 3)
            out.pairs.push_back({image(w[0], w[1]), image(w[0], w[2]), true});
        else if (w.size() == 4)
            out.pairs.push_back({image(w[0], w[1]), image(w[2], w[3]), false});
        else
            bad("expected \"name n1 n2\" or \"name1 n1 name2 n2\"");
    }
    if (header) throw std::runtime_error(pairsTxt + ": empty");
    // pairs.txt holds, per fold, pairsPerFold same pairs then as many
    // different ones.
    const std::size_t expected = static_cast<std::size_t>(out.folds) * 2 * static_cast<std::size_t>(out.pairsPerFold);
    const std::size_t expectedSingle = static_cast<std::size_t>(out.pairsPerFold);
    if (out.pairs.size() != expected && !(out.folds == 1 && out.pairs.size() == expectedSingle))
        throw std::runtime_error(pairsTxt + ": " + std::to_string(out.pairs.size()) + " pairs, but the header promises " +
                                 std::to_string(expected));
    return out;
}

std::vector<IdentityFolder> listIdentityFolders(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw std::runtime_error(root + ": not a folder (one sub-folder per identity)");
    static const std::set<std::string> kImages = {".png", ".jpg", ".jpeg", ".bmp"};
    std::vector<IdentityFolder> out;
    for (const auto& id : fs::directory_iterator(root, ec)) {
        if (!id.is_directory(ec)) continue;
        IdentityFolder f;
        f.name = id.path().filename().string();
        for (const auto& e : fs::directory_iterator(id.path(), ec))
            if (e.is_regular_file(ec) && kImages.count(io::lowerExtension(e.path().string()))) f.images.push_back(e.path().string());
        if (f.images.empty()) continue;
        std::sort(f.images.begin(), f.images.end());
        out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const IdentityFolder& a, const IdentityFolder& b) { return a.name < b.name; });
    if (out.empty()) throw std::runtime_error(root + ": no identity folder holds an image");
    return out;
}

}  // namespace synthforge::dataset
