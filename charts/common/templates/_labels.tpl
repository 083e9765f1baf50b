{{/*
Standard Kubernetes labels.
Usage: {{ include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) }}
*/}}
{{- define "common.labels.standard" -}}
{{- $ctx := .context -}}
{{- $base := dict "app.kubernetes.io/name" (include "common.names.name" $ctx) "helm.sh/chart" (include "common.names.chart" $ctx) "app.kubernetes.io/instance" $ctx.Release.Name "app.kubernetes.io/managed-by" $ctx.Release.Service -}}
{{- with $ctx.Chart.AppVersion }}
{{- $_ := set $base "app.kubernetes.io/version" (. | toString) -}}
{{- end }}
{{- with .component }}
{{- $_ := set $base "app.kubernetes.io/component" . -}}
{{- end }}
{{- $custom := .customLabels | default dict -}}
{{- toYaml (merge (dict) $base $custom) -}}
{{- end -}}

{{/*
Selector labels (immutable subset of the standard labels).
Usage: {{ include "common.labels.matchLabels" (dict "component" "db" "context" $) }}
*/}}
{{- define "common.labels.matchLabels" -}}
app.kubernetes.io/name: {{ include "common.names.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/*
Render a value that may contain template expressions.
Usage: {{ include "common.tplvalues.render" (dict "value" .Values.x "context" $) }}
*/}}
{{- define "common.tplvalues.render" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) -}}
{{- if contains "{{" $value -}}
{{- tpl $value .context -}}
{{- else -}}
{{- $value -}}
{{- end -}}
{{- end -}}
