# The prod layer upgrading a dev release: the volumes that exist in dev keep their dev sizes (as tests/seed_charts_cluster.rs upgrades).
voice-infra charts/voice-infra -n voiceassistant-infra -f charts/voice-infra/values.prod.yaml -f charts/voice-infra/ci/pinned-passwords.yaml -f charts/voice-infra/ci/keep-dev-storage.yaml
