# The one table of which core areas may use which. core/CMakeLists.txt builds
# one library per area and links exactly these; cmake/CheckLayering.cmake
# (run at build time and as the CTest test `layering`) checks every
# #include "core/..." in core/ against the same table.
#
# An area lists every area it may include, not only its direct neighbours,
# so a reader sees the whole allowance on one line. Order: lower layers first.
#
# SYNTHFORGE_AREA_DIR_<area> overrides the folder (default: core/<area>).

set(SYNTHFORGE_AREAS io camera jobs eval runs raster head annotate default_head labelmap dataset generate align scene train fr transfer)

set(SYNTHFORGE_AREA_DIR_default_head head/default_head)

set(SYNTHFORGE_LAYER_io)
set(SYNTHFORGE_LAYER_camera)
set(SYNTHFORGE_LAYER_jobs         io)
set(SYNTHFORGE_LAYER_eval)
set(SYNTHFORGE_LAYER_runs         io jobs eval)
set(SYNTHFORGE_LAYER_raster       camera)
set(SYNTHFORGE_LAYER_head         io)
set(SYNTHFORGE_LAYER_annotate     io camera raster head)
set(SYNTHFORGE_LAYER_default_head io camera raster head annotate)
set(SYNTHFORGE_LAYER_labelmap     io camera raster head annotate)
set(SYNTHFORGE_LAYER_dataset      io camera jobs raster head annotate)
set(SYNTHFORGE_LAYER_generate     io camera jobs raster head annotate dataset)
set(SYNTHFORGE_LAYER_align        io camera jobs raster head annotate dataset generate)
set(SYNTHFORGE_LAYER_scene        io camera jobs raster head annotate default_head dataset generate)
set(SYNTHFORGE_LAYER_train        io camera jobs eval raster head annotate generate dataset)
set(SYNTHFORGE_LAYER_fr           io camera jobs eval raster head annotate generate dataset train)
set(SYNTHFORGE_LAYER_transfer     io camera jobs eval raster head annotate generate dataset train fr)
