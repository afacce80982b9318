# headroom report procurement: the real binary on catalog GPUs, a shipped scenario, bad input.
if(TARGET headroom_tco)
  add_test(NAME cli.procurement
    COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/procurement_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli.procurement PROPERTIES LABELS "cli" TIMEOUT 120)
endif()
