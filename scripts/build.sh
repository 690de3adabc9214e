#!/usr/bin/env bash
# Configures (once) and builds a preset: scripts/build.sh [release|debug|clang|libcxx] [target...]
# Incremental: when nothing changed it returns in well under a second.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-release}"
shift || true
cd "$top"
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset" >&2
fi
jobs="$(nproc 2>/dev/null || echo 2)"
targets=()
[[ $# -gt 0 ]] && targets=(--target "$@")
# Build messages go to stderr; an up-to-date build says nothing (the ./faultline wrapper runs this
# before every command). The build id step runs on every build (explore/CMakeLists.txt).
set +e
cmake --build "build/$preset" -j "$jobs" "${targets[@]}" 2>&1 |
  grep -v -e '^\[0/[0-9]*\] Re-checking globbed directories' -e '^ninja: no work to do' \
    -e '^\[[0-9]*/[0-9]*\] Reading the build id from git$' >&2
status=${PIPESTATUS[0]}
set -e
exit "$status"
