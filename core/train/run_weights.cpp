#include "core/train/run_weights.h"

#include <filesystem>
#include <stdexcept>

namespace synthforge::train {

namespace fs = std::filesystem;

namespace {
bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

void validateWeightsChoice(const std::string& which) {
    if (which == "final" || which == "best" || endsWith(which, ".safetensors")) return;
    throw std::invalid_argument("weights: '" + which + "' is not final, best or a .safetensors file");
}

std::string runWeightsFile(const std::string& runDir, const std::string& which, const std::string& unfinished) {
    validateWeightsChoice(which);
    std::error_code ec;
    if (which == "final") {
        const std::string path = (fs::path(runDir) / "final.safetensors").string();
        if (!fs::is_regular_file(path, ec)) throw std::runtime_error(path + ": missing (" + unfinished + ")");
        return path;
    }
    if (which == "best") {
        const std::string path = (fs::path(runDir) / "best.safetensors").string();
        if (!fs::is_regular_file(path, ec))
            throw std::runtime_error(path + ": missing (best weights are written when a run that validated ends; "
                                            "use --weights final)");
        return path;
    }
    if (!fs::is_regular_file(which, ec)) throw std::runtime_error(which + ": no such weights file");
    return which;
}

}  // namespace synthforge::train
