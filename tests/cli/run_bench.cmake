# headroom --version / inventory / list / bench / run: outputs, formats, exit codes, atomicity, Ctrl-C.
add_test(NAME cli.run_bench
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/run_bench_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.run_bench PROPERTIES LABELS "cli" TIMEOUT 300)
