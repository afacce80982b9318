# Output the process cannot deliver: stdout on /dev/full exits 3 naming stdout; gbench/CSV exports
# keep the device and the incomplete marker; JUnit stays well-formed XML for any case message;
# compare --alpha outside (0, 0.5) is bad input.
if(EXISTS /dev/full)
  add_test(NAME cli.output_errors
    COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/output_errors_e2e.sh $<TARGET_FILE:headroom> ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli.output_errors PROPERTIES LABELS "cli" TIMEOUT 300)
endif()
