# values.prod.yaml: what overlays/prod rendered.
nova charts/nova -n nova -f charts/nova/values.prod.yaml
