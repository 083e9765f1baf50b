# The README's main command, with the generated passwords pinned so the output is deterministic.
platform charts/platform -f charts/platform/values.prod.yaml -f charts/platform/values.canary.yaml -f charts/platform/ci/pinned-passwords.yaml
