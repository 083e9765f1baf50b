# values.dev.yaml: what overlays/dev rendered, with the Secret of the kustomize base.
nova charts/nova -n nova -f charts/nova/values.dev.yaml -f charts/nova/ci/kustomize-secrets.yaml
