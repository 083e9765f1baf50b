{{/*
Resource presets so small installs need no tuning.
Usage: {{ include "common.resources.preset" (dict "type" "small") }}
*/}}
{{- define "common.resources.preset" -}}
{{- $presets := dict
  "nano" (dict "requests" (dict "cpu" "100m" "memory" "128Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "150m" "memory" "192Mi" "ephemeral-storage" "2Gi"))
  "micro" (dict "requests" (dict "cpu" "250m" "memory" "256Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "375m" "memory" "384Mi" "ephemeral-storage" "2Gi"))
  "small" (dict "requests" (dict "cpu" "500m" "memory" "512Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "750m" "memory" "768Mi" "ephemeral-storage" "2Gi"))
  "medium" (dict "requests" (dict "cpu" "500m" "memory" "1024Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "750m" "memory" "1536Mi" "ephemeral-storage" "2Gi"))
  "large" (dict "requests" (dict "cpu" "1" "memory" "2048Mi" "ephemeral-storage" "50Mi") "limits" (dict "cpu" "1.5" "memory" "3072Mi" "ephemeral-storage" "2Gi"))
-}}
{{- if not (hasKey $presets .type) -}}
{{- printf "resources preset %q is not one of: %s" .type (keys $presets | sortAlpha | join ", ") | fail -}}
{{- end -}}
{{- index $presets .type | toYaml -}}
{{- end -}}

{{/*
Explicit resources win, otherwise the preset is used.
Usage: {{ include "common.resources.render" (dict "resources" .Values.resources "preset" .Values.resourcesPreset) }}
*/}}
{{- define "common.resources.render" -}}
{{- if .resources -}}
{{- toYaml .resources -}}
{{- else if and .preset (ne .preset "none") -}}
{{- include "common.resources.preset" (dict "type" .preset) -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}
