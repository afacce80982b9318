# The measured files under data/measured/ (real GPU runs) through the real binary: schemas, the
# committed profile remade from its results, acceptance, plans fed by the measured profile, reports.
add_test(NAME cli.measured
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/measured_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.measured PROPERTIES LABELS "cli" TIMEOUT 120
  ENVIRONMENT "HEADROOM_DATA_DIR=${PROJECT_SOURCE_DIR}/data")
