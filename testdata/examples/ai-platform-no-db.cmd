# Another release name, Redis without auth and no PostgreSQL: the connection settings follow.
shop charts/ai-platform -f charts/ai-platform/values.dev.yaml --set redis.auth.enabled=false --set postgresql.enabled=false --set monitoring.prometheus.enabled=false
