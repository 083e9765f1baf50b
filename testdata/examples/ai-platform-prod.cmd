# The prod layer, with the generated passwords pinned.
ai-platform charts/ai-platform -n ai-platform -f charts/ai-platform/values.prod.yaml -f charts/ai-platform/ci/pinned-passwords.yaml
