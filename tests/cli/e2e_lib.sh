# Shared helpers of the end-to-end CLI test scripts (sourced, not run).
# $work                a fresh scratch directory, removed when the script exits
# check NAME CMD...    counts CMD's success as a pass, its failure as a named FAIL
# expect_exit CODE CMD...  runs CMD with stdout/stderr in $work/out and $work/err; fails unless it exits CODE
# finish               prints "N passed, N failed" and returns non-zero on any failure
# $schema_py           a python3 that can import jsonschema (Debian's python3-jsonschema)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass=0
check() {
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; failures=$((failures + 1)); fi
}
expect_exit() {
  local want=$1
  shift
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "  '$*' exited $got, expected $want; stderr: $(head -c 600 "$work/err")"
    return 1
  fi
}
finish() {
  echo "$pass passed, $failures failed"
  [ "$failures" -eq 0 ]
}

schema_py=python3
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import jsonschema' 2>/dev/null; then schema_py=$p; break; fi
done
