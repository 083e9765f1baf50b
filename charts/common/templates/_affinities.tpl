{{/*
Pod anti-affinity, "soft" (preferred) or "hard" (required).
Usage: {{ include "common.affinities.pods" (dict "type" "soft" "component" "x" "topologyKey" "kubernetes.io/hostname" "context" $) }}
*/}}
{{- define "common.affinities.pods" -}}
{{- $topologyKey := .topologyKey | default "kubernetes.io/hostname" -}}
{{- if eq .type "hard" -}}
requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector:
      matchLabels: {{- include "common.labels.matchLabels" (dict "component" .component "context" .context) | nindent 8 }}
    topologyKey: {{ $topologyKey }}
{{- else if eq .type "soft" -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - weight: {{ .weight | default 100 }}
    podAffinityTerm:
      labelSelector:
        matchLabels: {{- include "common.labels.matchLabels" (dict "component" .component "context" .context) | nindent 10 }}
      topologyKey: {{ $topologyKey }}
{{- end -}}
{{- end -}}
