# Two replicas on one ReadWriteOnce volume are refused with a clear error.
notes charts/notes -f charts/notes/values.dev.yaml --set replicaCount=2
