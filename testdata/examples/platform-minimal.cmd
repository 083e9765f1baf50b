# Subcharts switched off through tags, in a custom namespace.
platform charts/platform -f charts/platform/ci/minimal-values.yaml -f charts/platform/ci/pinned-passwords.yaml -n stories
