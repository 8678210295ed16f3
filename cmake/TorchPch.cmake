# Precompiled <torch/torch.h> for targets with several torch translation
# units. Parsing LibTorch's headers is most of the ~20 s each such file takes
# to compile on a 2-core machine; with the header precompiled once per target
# each file compiles in a fraction of that (docs/performance.md, "Build").
# SYNTHFORGE_TORCH_PCH=OFF turns it off (for example to compare).
option(SYNTHFORGE_TORCH_PCH "Precompile <torch/torch.h> for targets with many torch files" ON)

# synthforge_torch_pch(target): adds the precompiled header to `target` when
# the option is on and the target has at least `min` sources (default 4:
# below that, building the header costs more than it saves).
function(synthforge_torch_pch target)
  cmake_parse_arguments(ARG "" "MIN" "" ${ARGN})
  if(NOT SYNTHFORGE_TORCH_PCH)
    return()
  endif()
  if(NOT ARG_MIN)
    set(ARG_MIN 4)
  endif()
  get_target_property(_sources ${target} SOURCES)
  list(FILTER _sources INCLUDE REGEX "\\.cpp$")
  list(LENGTH _sources _count)
  if(_count LESS ARG_MIN)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
