# A name prefix, a global registry, no HPA and no ingress.
nova charts/nova -n staging -f charts/nova/values.dev.yaml --set namePrefix=stg- --set global.imageRegistry=mirror.internal --set serviceDefaults.autoscaling.enabled=false --set ingress.enabled=false
