#include "core/head/default_head/model_source.h"

#include "core/head/default_head/default_head.h"
#include "core/head/head_model_io.h"

namespace synthforge::head {

HeadModel loadHeadModel(const std::string& source) {
    if (source == kDefaultHeadName) return loadDefaultHead();
    return loadHeadModelFile(source);
}

}  // namespace synthforge::head
