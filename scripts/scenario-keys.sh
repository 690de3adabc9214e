#!/usr/bin/env bash
# Regenerates the key reference in docs/scenario-language.md from `faultline list --keys` (the
# reader's own field descriptions). Usage: scripts/scenario-keys.sh [path/to/faultline]
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$top/build/release/cli/faultline}"
doc="$top/docs/scenario-language.md"
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
"$bin" list --keys --markdown > "$table"
awk -v table="$table" '
  /<!-- keys:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- keys:end -->/ { skip = 0 }
  !skip { print }
' "$doc" > "$doc.new"
mv "$doc.new" "$doc"
echo "updated $doc ($(($(wc -l < "$table") - 2)) keys)"
