# Base values only, passwords pinned, in the namespace the seed used.
ai-platform charts/ai-platform -n ai-platform -f charts/ai-platform/ci/pinned-passwords.yaml
