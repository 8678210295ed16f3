#pragma once
// The default head with its default UV label map, loaded once per test
// process (building the label map takes a moment).

#include "core/annotate/class_table.h"
#include "core/annotate/uv_label_map.h"
#include "core/annotate/label_map_io.h"
#include "core/head/default_head/label_map.h"
#include "core/head/default_head/model_source.h"
#include "core/head/head_model.h"
#include "core/head/head_model_io.h"

namespace synthforge::testutil {

struct DefaultHeadScene {
    head::HeadModel model;
    annotate::UvLabelMap labels;
};

inline const DefaultHeadScene& defaultHeadScene() {
    static const DefaultHeadScene scene = [] {
        DefaultHeadScene s;
        s.model = head::loadHeadModel("default");
        s.labels = annotate::UvLabelMap(head::default_head::buildDefaultLabelMap(s.model, 1024),
                                        annotate::ClassTable::defaultTable(), "default label map");
        return s;
    }();
    return scene;
}

}  // namespace synthforge::testutil
