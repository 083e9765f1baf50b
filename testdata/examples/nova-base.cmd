# Base values: the kustomize base, without the Secret (created outside the release).
nova charts/nova -n nova
