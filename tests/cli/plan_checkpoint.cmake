# headroom plan / report procurement: checkpoint and failure costs (--checkpoint-every, --mtbf, ...),
# the inference cold start, their refusals, a measured-style profile and a workload file round trip.
add_test(NAME cli.plan_checkpoint
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/plan_checkpoint_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.plan_checkpoint PROPERTIES LABELS "cli" TIMEOUT 180
  ENVIRONMENT "HEADROOM_DATA_DIR=${PROJECT_SOURCE_DIR}/data")
