# headroom compare / compare --fleet gate semantics: cases matched whatever their parameter order, a
# metric gone from a passed case fails like a case gone, the fleet check fails when it checked
# nothing or a node run is incomplete, null where the results schema allows none is bad input.
add_test(NAME cli.compare_gate
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/compare_gate_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.compare_gate PROPERTIES LABELS "cli" TIMEOUT 120)
