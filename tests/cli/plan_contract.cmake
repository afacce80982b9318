# headroom plan: bad-input contract (no subcommand, --gpus against the parallel sizes, phase mismatch).
add_test(NAME cli.plan_contract
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/plan_contract_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.plan_contract PROPERTIES LABELS "cli" TIMEOUT 120)
