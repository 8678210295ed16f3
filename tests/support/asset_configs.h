#pragma once
// Asset configs for tests: the defaults wear some assets at everyday rates,
// so tests that count or compare draws start from every type off.

#include "core/generate/sampler.h"

namespace synthforge::testutil {

/// Every asset type's frequency 0, the rest at its default.
inline generate::AssetsSamplerConfig noAssets() { return generate::AssetsSamplerConfig::none(); }

/// A default sampler config whose samples wear nothing.
inline generate::SamplerConfig bareSampler() {
    generate::SamplerConfig c;
    c.assets = noAssets();
    return c;
}

}  // namespace synthforge::testutil
