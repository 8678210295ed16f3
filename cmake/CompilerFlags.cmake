# Warning flags every target of ours compiles with, in one place: targets
# link synthforge_warnings instead of repeating target_compile_options.
add_library(synthforge_warnings INTERFACE)
target_compile_options(synthforge_warnings INTERFACE -Wall -Wextra)
