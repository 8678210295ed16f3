# Every dependency comes from Debian 12 packages (see scripts/setup.sh), except
# that SYNTHFORGE_TORCH_DIR can point at an external LibTorch with CUDA, e.g.
#   -DSYNTHFORGE_TORCH_DIR=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(assimp REQUIRED)
# libzip through pkg-config: Debian 12's libzip CMake config demands the
# zipcmp/zipmerge/ziptool binaries, which live in other packages.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
# libpng directly (not through OpenCV) for fast dataset PNGs: core/io/png_writer.h.
find_package(PNG REQUIRED)
find_package(CLI11 REQUIRED)

if(SYNTHFORGE_TORCH_DIR)
  list(PREPEND CMAKE_PREFIX_PATH "${SYNTHFORGE_TORCH_DIR}")
  find_package(Torch REQUIRED PATHS "${SYNTHFORGE_TORCH_DIR}" "${SYNTHFORGE_TORCH_DIR}/Torch" NO_DEFAULT_PATH)
else()
  find_package(Torch REQUIRED)
endif()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")
# TorchConfig puts its ABI and warning flags in TORCH_CXX_FLAGS; only the ABI
# define matters to us and must match the library.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=([01])")
  set(SYNTHFORGE_TORCH_CXX11_ABI ${CMAKE_MATCH_1})
  add_compile_definitions(_GLIBCXX_USE_CXX11_ABI=${SYNTHFORGE_TORCH_CXX11_ABI})
  if(SYNTHFORGE_TORCH_CXX11_ABI STREQUAL "0")
    message(WARNING "This LibTorch uses the pre-C++11 std::string ABI; Debian's C++ libraries "
                    "(Assimp, OpenCV) use the new one. Use a LibTorch built with the C++11 ABI.")
  endif()
endif()
# OpenCV for images in core (cv::Mat at the API, PNG/TIFF encoding, drawing
# overlays). Debian 12's libopencv-dev; only the modules we use.
# calib3d: solvePnP for head pose from landmarks (core/dataset/head_pose.h).
# videoio: videos of interpolation frames (core/io/video_file_writer.h).
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs calib3d videoio)

# The studio (render/, widgets/, app/studio/) needs Qt 6 (Widgets,
# Concurrent, Test, OpenGL, OpenGLWidgets: OpenGL carries the 3D viewport,
# render/ and widgets/viewport/) and Dear ImGui (the viewport HUD).
# Both are optional: without them the core libraries, the CLI and their tests
# still build, and configuring says what is missing instead of failing.
# Qt Charts draws the run centre's scalar and CED charts (widgets/runs/).
find_package(Qt6 QUIET COMPONENTS Widgets Concurrent Test OpenGL OpenGLWidgets Charts)
pkg_check_modules(IMGUI QUIET IMPORTED_TARGET imgui)
set(SYNTHFORGE_WITH_QT OFF)
if(Qt6_FOUND AND TARGET Qt6::Widgets AND TARGET Qt6::Concurrent AND TARGET Qt6::Test
   AND TARGET Qt6::OpenGL AND TARGET Qt6::OpenGLWidgets AND TARGET Qt6::Charts)
  set(SYNTHFORGE_WITH_QT ON)
endif()
if(SYNTHFORGE_WITH_QT AND IMGUI_FOUND)
  set(SYNTHFORGE_WITH_STUDIO ON)
  message(STATUS "Qt ${Qt6_VERSION} and Dear ImGui ${IMGUI_VERSION}: building the studio")
else()
  set(SYNTHFORGE_WITH_STUDIO OFF)
  set(_missing)
  if(NOT SYNTHFORGE_WITH_QT)
    list(APPEND _missing "Qt 6 (Widgets, Concurrent, Test, OpenGL, OpenGLWidgets, Charts: qt6-base-dev libqt6opengl6-dev qt6-charts-dev)")
  endif()
  if(NOT IMGUI_FOUND)
    list(APPEND _missing "Dear ImGui (libimgui-dev)")
  endif()
  string(REPLACE ";" " and " _missing "${_missing}")
  message(WARNING "The studio is not built: ${_missing} not found. "
                  "The core libraries, the synthforge CLI and their tests are built; "
                  "scripts/setup.sh installs everything.")
endif()
