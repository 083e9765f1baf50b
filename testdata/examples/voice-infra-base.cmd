# Base values only (every service on), passwords pinned, in the namespace the seed used.
voice-infra charts/voice-infra -n voiceassistant-infra -f charts/voice-infra/ci/pinned-passwords.yaml
