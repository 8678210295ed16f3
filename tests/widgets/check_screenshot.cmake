# Runs the studio once under xvfb-run with --screenshot, then CHECK (the
# check_studio_screenshot program) on the PNG: the head and its landmark
# overlay must be in the picture, not merely a file of some size.
file(REMOVE ${OUT})
execute_process(COMMAND ${XVFB_RUN} -a -s "-screen 0 1600x1000x24" ${STUDIO} --screenshot ${OUT}
                RESULT_VARIABLE rc TIMEOUT 240)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "synthforge-studio --screenshot exited with ${rc}")
endif()
if(NOT EXISTS ${OUT})
  message(FATAL_ERROR "${OUT} was not written")
endif()
execute_process(COMMAND ${CHECK} ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OUT} does not show the head with its landmarks (see above)")
endif()
