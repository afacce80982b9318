# headroom accept / compare / report: verdicts, exit codes, JUnit, Prometheus, HTML, gbench export vs
# Google Benchmark's compare.py, bad input. Fixtures are synthetic (reports_fixtures/make_fixtures.py).
add_test(NAME cli.reports
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/reports_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.reports PROPERTIES LABELS "cli" TIMEOUT 300)
