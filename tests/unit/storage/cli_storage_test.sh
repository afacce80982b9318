#!/usr/bin/env bash
# End-to-end storage run of the real `headroom` binary: every storage case on a small file, then
# the bad-input promises (exit 2 / 3 with a message naming the problem, nothing left on disk).
set -euo pipefail
headroom=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir="$work/target"
mkdir "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE PATTERN -- ARGS: run headroom, check exit code and that stderr mentions PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 3
  set +e
  "$headroom" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  set -e
  [ "$rc" -eq "$code" ] || { cat "$work/err" >&2; fail "'$*' exited $rc, expected $code"; }
  grep -q -- "$pattern" "$work/err" || { cat "$work/err" >&2; fail "'$*': stderr lacks '$pattern'"; }
  [ -z "$(ls -A "$dir")" ] || fail "'$*' left files in $dir: $(ls -A "$dir")"
}

"$headroom" bench --filter 'storage.*' --storage-dir "$dir" --storage-size 16MiB --queue-depth 4 \
  --repetitions 2 --warmup 0 --quiet --out "$work/r.json"
[ -z "$(ls -A "$dir")" ] || fail "the storage run left files behind: $(ls -A "$dir")"
python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = sorted(c["name"] for c in r["cases"])
assert names == sorted(["storage.seq_read", "storage.seq_write", "storage.rand_read", "storage.checkpoint",
                        "storage.small_files"]), names
for c in r["cases"]:
    assert c["status"] == "passed", (c["name"], c["message"])
    assert c["metrics"][0]["value"] > 0, c["name"]
    if c["name"] in ("storage.checkpoint", "storage.small_files"):
        assert c["verified"] is True, c["name"]
    if c["name"].startswith("storage.seq") or c["name"] == "storage.rand_read":
        assert c["params"]["queue_depth"] == 4, c["params"]
        # says whether the page cache could have helped
        assert "O_DIRECT" in c["message"] or "cache-assisted" in c["message"], c["message"]
PY

# Ctrl-C in the middle of a run: the run stops (exit 130, results marked incomplete) and the scratch
# directory is gone.
"$headroom" bench --filter 'storage.*' --storage-dir "$dir" --storage-size 256MiB --repetitions 1000 \
  --quiet --out "$work/int.json" 2>"$work/int.err" &
pid=$!
for _ in $(seq 50); do [ -n "$(ls -A "$dir")" ] && break; sleep 0.1; done
[ -n "$(ls -A "$dir")" ] || fail "the interrupted run never created its scratch directory"
sleep 0.5
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat "$work/int.err" >&2; fail "interrupted run exited $rc, expected 130"; }
[ -z "$(ls -A "$dir")" ] || fail "the interrupted run left files behind: $(ls -A "$dir")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["run"]["incomplete"] is True' "$work/int.json"

expect 2 "--storage-dir" -- bench --filter 'storage.*' --storage-dir "$work/missing" --quiet
expect 2 "--queue-depth" -- bench --filter 'storage.*' --storage-dir "$dir" --queue-depth 0 --quiet
expect 2 "--storage-size" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-size 12XB --quiet
expect 2 "--block-size" -- bench --filter 'storage.*' --storage-dir "$dir" --block-size 1000 --quiet
expect 3 "not enough free space" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-size 1000TiB --quiet
if "$headroom" list 2>/dev/null | grep '^mpi\.' >/dev/null; then  # not -q: an early exit would SIGPIPE list, and pipefail would read that as no MPI
  expect 2 "--min-bytes" -- bench --filter 'mpi.*' --min-bytes 1MiB --max-bytes 8 --quiet
else  # a build without MPI has no mpi.* cases: the filter is what is refused
  expect 2 "expected a glob matching at least one case" -- bench --filter 'mpi.*' --min-bytes 1MiB --max-bytes 8 --quiet
fi
# --storage-file: the read cases read an existing file, opened read-only. It must be byte-identical
# and unmodified afterwards, and nothing may appear in the storage directory or beside the file.
src="$work/src"; mkdir "$src"
head -c $((16 * 1048576 + 4096)) /dev/urandom >"$src/existing.bin"
sum_before=$(sha256sum <"$src/existing.bin"); mtime_before=$(stat -c %y "$src/existing.bin")
"$headroom" bench --filter 'storage.*_read' --storage-file "$src/existing.bin" --storage-dir "$dir" \
  --queue-depth 4 --repetitions 2 --warmup 0 --quiet --out "$work/f.json"
[ -f "$src/existing.bin" ] || fail "--storage-file was removed"
[ "$(sha256sum <"$src/existing.bin")" = "$sum_before" ] || fail "--storage-file changed"
[ "$(stat -c %y "$src/existing.bin")" = "$mtime_before" ] || fail "--storage-file's mtime changed"
[ -z "$(ls -A "$dir")" ] || fail "the --storage-file run wrote into $dir: $(ls -A "$dir")"
[ "$(ls -A "$src")" = existing.bin ] || fail "the --storage-file run wrote beside the file: $(ls -A "$src")"
python3 - "$work/f.json" "$src/existing.bin" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted(c["name"] for c in r["cases"]) == ["storage.rand_read", "storage.seq_read"], r["cases"]
for c in r["cases"]:
    assert c["status"] == "passed", (c["name"], c["message"])
    assert c["params"]["file_bytes"] == 16 * 1048576 + 4096, c["params"]
    assert sys.argv[2] in c["message"] and "read-only" in c["message"], c["message"]
PY
head -c 1048576 /dev/urandom >"$src/small.bin"
expect 2 "--storage-file" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-file "$src/missing.bin" --quiet
expect 2 "--storage-file" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-file "$src" --quiet
expect 2 "--storage-file" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-file "$src/small.bin" --quiet
expect 2 "--storage-file" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-file "$src/existing.bin" \
  --storage-size 64MiB --quiet
expect 2 "--storage-file" -- bench --filter 'storage.*' --storage-dir "$dir" --storage-file /dev/null --quiet
[ "$(sha256sum <"$src/existing.bin")" = "$sum_before" ] || fail "--storage-file changed by a refused run"

# An unwritable directory: a mode-0555 directory as a normal user (root ignores modes: skipped).
if [ "$(id -u)" -ne 0 ]; then
  ro="$work/ro"; mkdir "$ro"; chmod 0555 "$ro"
  expect 3 "not writable" -- bench --filter 'storage.*' --storage-dir "$ro" --quiet
  chmod 0755 "$ro"
else
  echo "note: running as root, which ignores directory modes: the unwritable-directory case is skipped"
fi
echo "storage.cli: ok"
