# The seed's minimal deployment (PostgreSQL, Redis, Nacos, Milvus) under another release name, with a subchart renamed: the endpoints follow.
assistant charts/voice-infra -f charts/voice-infra/values.dev.yaml --set minio.enabled=false --set kafka.enabled=false --set jaeger.enabled=false --set prometheus.enabled=false --set grafana.enabled=false --set redis.fullnameOverride=cache
