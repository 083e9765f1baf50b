# The dev layer (its passwords are fixed in values.dev.yaml).
ai-platform charts/ai-platform -n ai-platform -f charts/ai-platform/values.dev.yaml
