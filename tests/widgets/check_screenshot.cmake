# Runs the studio once under xvfb-run with --screenshot and checks that the
# PNG exists and is not blank (file size well above an empty image's).
file(REMOVE ${OUT})
execute_process(COMMAND ${XVFB_RUN} -a -s "-screen 0 1600x1000x24" ${STUDIO} --screenshot ${OUT}
                RESULT_VARIABLE rc TIMEOUT 240)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "synthforge-studio --screenshot exited with ${rc}")
endif()
if(NOT EXISTS ${OUT})
  message(FATAL_ERROR "${OUT} was not written")
endif()
file(SIZE ${OUT} size)
# A flat-coloured 1000-pixel-wide PNG compresses to a few kB; a window with
# panels, text and a rendered face is far larger.
if(size LESS 20000)
  message(FATAL_ERROR "${OUT} looks blank (${size} bytes)")
endif()
message(STATUS "${OUT}: ${size} bytes")
