# nondeterministic: the README's main command as is; generated passwords differ per run, so only the shape is compared.
platform charts/platform -f charts/platform/values.prod.yaml -f charts/platform/values.canary.yaml
