#!/usr/bin/env bash
# Fills fuzz/corpus/{parse,render} with the templates of the differential cases.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in parse render; do mkdir -p "fuzz/corpus/$t"; done
for f in testdata/cases/*/*.txt; do
  name="$(basename "$(dirname "$f")")_$(basename "$f" .txt)"
  awk '/^-- templates\/x.yaml --$/{on=1; next} /^-- /{on=0} on' "$f" > "fuzz/corpus/parse/$name"
  { printf '\000'; cat "fuzz/corpus/parse/$name"; } > "fuzz/corpus/render/$name"
done
