{{- define "redis.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "redis.secretName" -}}
{{- default (include "redis.fullname" .) .Values.auth.existingSecret -}}
{{- end -}}

{{/* Which StatefulSet roles exist: master always, replicas only in replication mode. */}}
{{- define "redis.roles" -}}
{{- $roles := list "master" -}}
{{- if and (eq .Values.architecture "replication") (gt (int .Values.replica.replicaCount) 0) -}}
{{- $roles = append $roles "replica" -}}
{{- end -}}
{{- join "," $roles -}}
{{- end -}}
