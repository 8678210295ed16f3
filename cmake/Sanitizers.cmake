# -DSYNTHFORGE_SANITIZE=ON builds everything with ASan + UBSan. Run the tests
# with ASAN_OPTIONS=detect_leaks=0 if LibTorch's static initialisers report
# leaks that are not ours.
if(SYNTHFORGE_SANITIZE)
  set(_sf_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_sf_san})
  add_link_options(-fsanitize=address,undefined)
endif()
