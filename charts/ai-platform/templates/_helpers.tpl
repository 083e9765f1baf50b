{{/* vim: set filetype=mustache: */}}

{{- define "aiplatform.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "aiplatform.namespace" -}}
{{- include "common.names.namespace" . -}}
{{- end -}}

{{/*
Labels of one tier. Usage: include "aiplatform.labels" (dict "component" "backend" "context" $)
*/}}
{{- define "aiplatform.labels" -}}
{{ include "common.labels.standard" (dict "customLabels" .context.Values.commonLabels "component" .component "context" .context) }}
environment: {{ .context.Values.environment | quote }}
{{- end -}}

{{/*
Effective settings of one tier: tierDefaults deep-merged with the tier's own map. YAML; use fromYaml.
*/}}
{{- define "aiplatform.tier" -}}
{{- $own := index .context.Values .tier | default dict -}}
{{- $cfg := mergeOverwrite (deepCopy .context.Values.tierDefaults) (deepCopy $own) -}}
{{- toYaml $cfg -}}
{{- end -}}

{{- define "aiplatform.image" -}}
{{- $img := .context.Values.image -}}
{{- $image := dict "registry" $img.registry "repository" .repository "tag" ($img.tag | default .context.Chart.AppVersion) -}}
{{- include "common.images.image" (dict "image" $image "global" .context.Values.global) -}}
{{- end -}}

{{/* Name of a subchart's objects, following the subchart's own naming rule. */}}
{{- define "aiplatform.dependencyName" -}}
{{- $values := index .context.Values .chart | default dict -}}
{{- if $values.fullnameOverride -}}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .chart $values.nameOverride -}}
{{- if contains $name .context.Release.Name -}}
{{- .context.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .context.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "aiplatform.backendUrl" -}}
{{- printf "http://%s-backend:%v" (include "aiplatform.fullname" .) .Values.backend.servicePort -}}
{{- end -}}
