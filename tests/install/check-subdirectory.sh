#!/usr/bin/env bash
# Configures a parent project that takes faultline in with add_subdirectory (tests/install/parent)
# and builds its build-id header: the step that read the parent's cmake/ and git commit when
# faultline used CMAKE_SOURCE_DIR. The header must name faultline's own commit. Building all of
# faultline again would take minutes; this checks the paths that differ in a parent project.
# With clang++ (and Ninja), it also compiles the parent's own coroutine program (the object only:
# seconds), which needs the definitions linking faultline::sim gives (Asio finds co_await there
# only if told); they used to be set for faultline's directory alone.
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
clang=$(command -v clang++ || command -v clang++-14 || true)
coro="no clang++ and Ninja: coroutines not compiled"
if [[ -n "$clang" && ${#generator[@]} -gt 0 ]]; then
  cmake -S "$src/tests/install/parent" -B "$work/clang" -G Ninja -DCMAKE_CXX_COMPILER="$clang" -DFAULTLINE_DIR="$src" \
    > "$work/configure-clang.log" 2>&1 || fail "configuring the parent project with $clang failed: $(grep -m3 -i error "$work/configure-clang.log")"
  object=$(ninja -C "$work/clang" -t targets all | sed -n 's/^\(CMakeFiles\/coro-consumer\.dir\/.*\.o\): .*/\1/p')
  [[ -n "$object" ]] || fail "the parent project has no object for coro-consumer"
  ninja -C "$work/clang" "$object" > "$work/build-clang.log" 2>&1 ||
    fail "compiling the parent's coroutine program with $clang failed: $(grep -m3 error "$work/build-clang.log")"
  coro="coroutines compiled with $clang"
fi
echo "check-subdirectory: ok ($(grep -o '"[^"]*"' "$header"); $coro)"
