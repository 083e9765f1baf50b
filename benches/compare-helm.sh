#!/usr/bin/env bash
# Times `helm template` (v3.17.3) on the bench template and values, for a ratio with
# `cargo bench --bench render`. Helm's time includes process start, chart loading and YAML checks,
# so it bounds Go's render time from above.
set -euo pipefail
cd "$(dirname "$0")/.."
helm="$(scripts/install-oracle path v3)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/api/templates"
printf 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: 2.3.1\n' > "$dir/api/Chart.yaml"
cp benches/values.yaml "$dir/api/values.yaml"
cp benches/deployment.yaml.tpl "$dir/api/templates/deployment.yaml"
runs=${RUNS:-20}
start=$(date +%s%N)
for _ in $(seq "$runs"); do "$helm" template prod "$dir/api" > /dev/null; done
end=$(date +%s%N)
echo "helm template: $(( (end - start) / runs / 1000 )) us per run (whole process, $runs runs)"
