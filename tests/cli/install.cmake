# `cmake --install`: the installed headroom starts (its RPATH finds CUDA's runtime and OpenBLAS) and
# reads the installed share/headroom/data, not the source tree it was built from.
add_test(NAME cli.install
  COMMAND ${HEADROOM_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/install_e2e.sh ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.install PROPERTIES LABELS "cli" TIMEOUT 120)
