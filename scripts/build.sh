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
if [[ $# -gt 0 ]]; then
  cmake --build "build/$preset" -j "$jobs" --target "$@" >&2
else
  cmake --build "build/$preset" -j "$jobs" >&2
fi
