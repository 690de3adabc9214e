#!/usr/bin/env bash
# Installs the Debian packages faultline builds with, if any are missing.
# Idempotent: when everything is present it only asks dpkg and returns at once.
# Nothing is downloaded except Debian packages through apt-get.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-context-dev
  libspdlog-dev libfmt-dev
  librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  chromium zlib1g-dev   # the report tests load reports in headless chromium and read its screenshots
)
# Extra groups, asked for by name: `setup.sh clang`, `setup.sh peers`, `setup.sh lint`.
for group in "$@"; do
  case "$group" in
    clang) packages+=(clang libc++-dev libc++abi-dev) ;;
    peers) packages+=(libsimgrid-dev python3 python3-simpy3) ;;
    browser) ;;  # chromium is installed by default now (the report tests need it)
    lint) packages+=(clang-format clang-tidy) ;;
    *) echo "setup.sh: unknown package group '$group' (known: clang, peers, lint)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
