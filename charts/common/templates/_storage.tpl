{{/*
storageClassName line for a PVC/volumeClaimTemplate. global.storageClass wins;
"-" means an empty storageClassName (disables dynamic provisioning).
Usage: {{ include "common.storage.class" (dict "persistence" .Values.persistence "global" .Values.global) }}
*/}}
{{- define "common.storage.class" -}}
{{- $storageClass := .persistence.storageClass | default "" -}}
{{- if .global -}}
{{- if .global.storageClass -}}
{{- $storageClass = .global.storageClass -}}
{{- end -}}
{{- end -}}
{{- if $storageClass -}}
{{- if eq "-" $storageClass -}}
{{- printf "storageClassName: \"\"" -}}
{{- else -}}
{{- printf "storageClassName: %s" $storageClass -}}
{{- end -}}
{{- end -}}
{{- end -}}
