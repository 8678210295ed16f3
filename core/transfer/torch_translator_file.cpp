#include "core/transfer/torch_translator_file.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"
#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_cyclegan_nets.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

void saveTranslator(const torch::nn::Module& generator, const TransferTrainConfig& c, const std::string& path) {
    io::saveSafetensorsFile(path, train::stateDictToSafetensors(
                                      generator, {{"format", "synthforge-transfer"},
                                                  {"method", c.method},
                                                  {"direction", "AtoB"},
                                                  {"generator_filters", std::to_string(c.generatorFilters)},
                                                  {"residual_blocks", std::to_string(c.blocks())},
                                                  {"size", std::to_string(c.size)},
                                                  {"load_size", std::to_string(c.loadSize())}}));
}

namespace {

int64_t metadataInteger(const io::SafetensorsFile& f, const std::string& key, const std::string& path, int64_t lo,
                        int64_t hi) {
    const auto it = f.metadata.find(key);
    if (it == f.metadata.end()) throw std::runtime_error(path + ": __metadata__." + key + ": missing");
    try {
        std::size_t used = 0;
        const long long v = std::stoll(it->second, &used);
        if (used == it->second.size() && v >= lo && v <= hi) return v;
    } catch (const std::exception&) {
    }
    throw std::runtime_error(path + ": __metadata__." + key + ": '" + it->second + "' is not a whole number in " +
                             std::to_string(lo) + ".." + std::to_string(hi));
}

}  // namespace

LoadedTranslator loadTranslator(const std::string& path) {
    const io::SafetensorsFile file = io::loadSafetensorsFile(path);
    const auto format = file.metadata.find("format");
    if (format == file.metadata.end() || format->second != "synthforge-transfer")
        throw std::runtime_error(path + ": __metadata__.format: not synthforge-transfer (not a transfer run's weights)");
    const auto method = file.metadata.find("method");
    if (method == file.metadata.end() || !isKnownTransferMethod(method->second))
        throw std::runtime_error(path + ": __metadata__.method: missing or not one this build runs (cyclegan, cut, fastcut, vsait)");
    LoadedTranslator t;
    t.metadata = file.metadata;
    t.method = method->second;
    const int64_t filters = metadataInteger(file, "generator_filters", path, 1, 1024);
    const int64_t blocks = metadataInteger(file, "residual_blocks", path, 0, 64);
    t.size = metadataInteger(file, "size", path, 16, 8192);
    t.loadSize = metadataInteger(file, "load_size", path, t.size, 16384);
    if (usesCutGenerator(t.method)) {
        CutGenerator g(filters, blocks);
        train::loadStateDict(*g, file, path);
        t.module = g.ptr();
        t.run = [g](const torch::Tensor& x) mutable { return g->forward(x); };
    } else {
        ResnetGenerator g(ResnetGeneratorOptions{filters, blocks});
        train::loadStateDict(*g, file, path);
        t.module = g.ptr();
        t.run = [g](const torch::Tensor& x) mutable { return g->forward(x); };
    }
    t.module->eval();
    return t;
}

}  // namespace synthforge::transfer
