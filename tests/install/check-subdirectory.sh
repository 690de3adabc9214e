#!/usr/bin/env bash
# Configures a parent project that takes faultline in with add_subdirectory (tests/install/parent)
# and builds its build-id header: the step that read the parent's cmake/ and git commit when
# faultline used CMAKE_SOURCE_DIR. The header must name faultline's own commit. Building all of
# faultline again would take minutes; this checks the paths that differ in a parent project.
# Usage: check-subdirectory.sh SOURCE_DIR SCRATCH_DIR
set -euo pipefail
src=$1 work=$2
fail() { echo "check-subdirectory: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S "$src/tests/install/parent" -B "$work/build" "${generator[@]}" -DFAULTLINE_DIR="$src" > "$work/configure.log" 2>&1 ||
  fail "configuring a parent project with add_subdirectory failed: $(grep -m3 -i error "$work/configure.log")"
cmake --build "$work/build" --target faultline_build_id > "$work/build.log" 2>&1 ||
  fail "building faultline_build_id in a parent project failed: $(grep -m3 -i error "$work/build.log")"
header=$(find "$work/build" -name faultline_build_id.h | head -1)
[[ -n "$header" ]] || fail "no faultline_build_id.h was generated"
expected=$(git -C "$src" rev-parse --short=12 HEAD 2> /dev/null || echo unknown)
grep -q "\"$expected" "$header" || fail "the build id is not faultline's commit $expected: $(cat "$header")"
echo "check-subdirectory: ok ($(grep -o '"[^"]*"' "$header"))"
