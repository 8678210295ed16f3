#include "core/runs/scalar_groups.h"

namespace synthforge::runs {

ScalarMap meanOfRuns(const std::vector<const ScalarMap*>& runs) {
    struct Sum {
        double value = 0, wall = 0;
        int count = 0;
    };
    std::map<std::string, int> holders;  // tag -> runs that have it
    std::map<std::string, std::map<std::int64_t, Sum>> sums;
    for (const ScalarMap* run : runs) {
        if (!run) continue;
        for (const auto& [tag, points] : *run) {
            ++holders[tag];
            // The last value of a repeated step, as the charts show it.
            std::map<std::int64_t, const ScalarPoint*> last;
            for (const ScalarPoint& p : points) last[p.step] = &p;
            auto& bySteps = sums[tag];
            for (const auto& [step, p] : last) {
                Sum& s = bySteps[step];
                s.value += p->value;
                s.wall += p->wallTime;
                ++s.count;
            }
        }
    }
    ScalarMap out;
    for (const auto& [tag, bySteps] : sums) {
        const int n = holders[tag];
        std::vector<ScalarPoint>& curve = out[tag];
        for (const auto& [step, s] : bySteps)
            if (s.count == n) curve.push_back({step, s.wall / n, s.value / n});
    }
    return out;
}

}  // namespace synthforge::runs
