# Base values only, passwords pinned.
platform charts/platform -f charts/platform/ci/pinned-passwords.yaml
