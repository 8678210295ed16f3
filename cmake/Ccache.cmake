# Use ccache when it is installed: rebuilds of torch-including translation
# units (~20 s each) become near-instant.
find_program(SYNTHFORGE_CCACHE ccache)
if(SYNTHFORGE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${SYNTHFORGE_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER "${SYNTHFORGE_CCACHE}")
endif()
