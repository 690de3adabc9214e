#!/usr/bin/env bash
# Installs this build into a scratch prefix and checks what a user outside the tree gets:
#   1. find_package(faultline) gives faultline::cli (and what it links), and a program built on it
#      gets C++20 and the determinism flags without asking;
#   2. that program (the custom-model example, built out of tree) runs a scenario that uses its
#      model kind with the same trace hash as the same example built in the tree;
#   3. the installed faultline reads the scenario library installed beside it;
#   4. a program that runs Asio coroutines on virtual time (consumer/coro.cpp: asio::co_spawn,
#      asio::use_awaitable) builds and runs, with the consumer's compiler and, when there is one,
#      with clang++ (Boost 1.74's Asio finds co_await there only if faultline::sim says so).
# Usage: check-install.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR IN_TREE_EXAMPLE
set -euo pipefail
build=$1 src=$2 work=$3 in_tree=$4
fail() { echo "check-install: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" || fail "cmake --install failed (see $work/install.log)"
for t in sim models scenarios report explore cli; do
  grep -q "add_library(faultline::$t " "$work"/prefix/lib*/cmake/faultline/faultlineTargets.cmake || fail "the package exports no faultline::$t"
done

generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S "$src/tests/install/consumer" -B "$work/consumer" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLE_DIR="$src/examples/custom-model" > "$work/configure.log" 2>&1 ||
  fail "configuring the consumer failed: $(tail -5 "$work/configure.log")"
cmake --build "$work/consumer" > "$work/build.log" 2>&1 || fail "building the consumer failed: $(grep -m3 error "$work/build.log")"

line=$(grep '"command"' "$work/consumer/compile_commands.json" | grep main.cpp || true)
[[ -n "$line" ]] || fail "no compile command for main.cpp"
for flag in -ffp-contract=off -fno-fast-math; do
  [[ "$line" == *"$flag"* ]] || fail "the consumer's compile line lacks $flag: $line"
done
[[ "$line" =~ -std=(c|gnu)\+\+(20|2a) ]] || fail "the consumer's compile line asks for no C++20: $line"

coro_runs() {  # BUILD_DIR WHAT
  "$1/coro-consumer" > "$1/coro.log" 2>&1 || fail "the coroutine program built $2 failed: $(cat "$1/coro.log")"
}
coro_runs "$work/consumer" "with the default compiler"
clang=$(command -v clang++ || command -v clang++-14 || true)
if [[ -n "$clang" ]]; then
  # Only the coroutine program: a few seconds, where the whole consumer would be a minute.
  cmake -S "$src/tests/install/consumer" -B "$work/consumer-clang" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLE_DIR="$src/examples/custom-model" \
    > "$work/configure-clang.log" 2>&1 || fail "configuring the consumer with $clang failed: $(tail -5 "$work/configure-clang.log")"
  cmake --build "$work/consumer-clang" --target coro-consumer > "$work/build-clang.log" 2>&1 ||
    fail "building the coroutine program with $clang failed: $(grep -m3 error "$work/build-clang.log")"
  coro_runs "$work/consumer-clang" "with $clang"
fi

hash_of() { "$@" 2>&1 | sed -n 's/^trace hash  *\([0-9a-f]*\)$/\1/p'; }
ours=$(hash_of "$work/consumer/my-faultline" run "$src/examples/custom-model/checkout.yaml" --seed 1)
theirs=$(hash_of "$in_tree" run "$src/examples/custom-model/checkout.yaml" --seed 1)
[[ -n "$ours" ]] || fail "the consumer's program printed no trace hash"
[[ "$ours" == "$theirs" ]] || fail "the consumer's program gives trace hash $ours, the in-tree example $theirs"

# A scenario only the installed library has: the installed program must list it (it used to read
# the source tree's scenarios/, compiled in).
share=$work/prefix/share/faultline/scenarios
[[ -f "$share/cache-flush-stampede.yaml" ]] || fail "the scenario library is not installed in $share"
sed 's/^name: .*/name: only-installed/' "$share/cache-flush-stampede.yaml" > "$share/only-installed.yaml"
listed=$(env -u FAULTLINE_SCENARIOS "$work/prefix/bin/faultline" list)
[[ "$listed" == *only-installed* ]] || fail "the installed faultline does not read $share: $listed"
echo "check-install: ok (trace hash $ours in and out of tree; coroutines built with the default compiler${clang:+ and $clang})"
