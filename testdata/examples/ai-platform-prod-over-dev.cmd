# The prod layer over a dev release: the volumes keep their dev class and size (as tests/seed_charts_cluster.rs upgrades).
ai-platform charts/ai-platform -n ai-platform -f charts/ai-platform/values.prod.yaml -f charts/ai-platform/ci/pinned-passwords.yaml -f charts/ai-platform/ci/keep-dev-storage.yaml
