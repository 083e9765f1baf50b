# Three backend replicas on one ReadWriteOnce volume are refused with a clear error.
ai-platform charts/ai-platform -f charts/ai-platform/values.dev.yaml --set backend.replicaCount=3 --set backend.persistence.accessModes={ReadWriteOnce}
