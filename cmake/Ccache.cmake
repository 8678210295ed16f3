# Use ccache when it is installed: rebuilds of torch-including translation
# units (~20 s each) become near-instant.
#
# The settings make hits portable across folders: a second checkout, a git
# worktree or a fresh CI clone in another path reuse the same cache entries.
#   base_dir   paths under the source tree are hashed relative to the build dir;
#   hash_dir   off, so -g's compilation directory does not enter the hash;
#   sloppiness the precompiled torch header (cmake/TorchPch.cmake) is accepted
#              by content, not by its timestamps.
find_program(SYNTHFORGE_CCACHE ccache)
if(SYNTHFORGE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(_ccache_launcher
      ${CMAKE_COMMAND} -E env
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
      CCACHE_NOHASHDIR=1
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${SYNTHFORGE_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_ccache_launcher})
  set(CMAKE_C_COMPILER_LAUNCHER ${_ccache_launcher})
endif()
