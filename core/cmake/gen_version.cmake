# Writes OUT from the template IN at build time (not configure time), so the version a binary and
# its results files report is the commit it was built from. Called by the headroom_version target:
#   cmake -DGIT=... -DSRC=... -DIN=... -DOUT=... -DPROJECT_VERSION=... -P gen_version.cmake
# HEADROOM_GIT_DESCRIBE = short hash, "-dirty" when tracked files differ from it; empty without git.
# configure_file rewrites OUT only when its text changes, so an unchanged commit rebuilds nothing.
set(HEADROOM_GIT_DESCRIBE "")
if(GIT)
  execute_process(COMMAND ${GIT} rev-parse --short HEAD WORKING_DIRECTORY ${SRC} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE HEADROOM_GIT_DESCRIBE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT rc EQUAL 0)
    set(HEADROOM_GIT_DESCRIBE "")
  endif()
  if(HEADROOM_GIT_DESCRIBE)
    execute_process(COMMAND ${GIT} status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                    OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(changes)
      string(APPEND HEADROOM_GIT_DESCRIBE "-dirty")
    endif()
  endif()
endif()
configure_file(${IN} ${OUT} @ONLY)
