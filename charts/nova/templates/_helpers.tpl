{{/* vim: set filetype=mustache: */}}

{{- define "nova.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "nova.namespace" -}}
{{- include "common.names.namespace" . -}}
{{- end -}}

{{/*
metadata lines shared by every object: name, namespace, labels, annotations.
Usage: include "nova.metadata" (dict "name" "x" "component" "content-service" "annotations" (dict) "context" $)
*/}}
{{- define "nova.metadata" -}}
name: {{ .name }}
namespace: {{ include "nova.namespace" .context | quote }}
labels: {{- include "common.labels.standard" (dict "customLabels" .context.Values.commonLabels "component" .component "context" .context) | nindent 2 }}
{{- $annotations := merge (dict) (.annotations | default dict) (.context.Values.commonAnnotations | default dict) }}
{{- with $annotations }}
annotations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Effective settings of one service: serviceDefaults deep-merged with services.<name>. YAML; use fromYaml.
*/}}
{{- define "nova.service" -}}
{{- $own := index .context.Values.services .name | default dict -}}
{{- $cfg := mergeOverwrite (deepCopy .context.Values.serviceDefaults) (deepCopy $own) -}}
{{- $_ := set $cfg "fullname" (printf "%s%s" .context.Values.namePrefix .name | trunc 63 | trimSuffix "-") -}}
{{- toYaml $cfg -}}
{{- end -}}

{{- define "nova.image" -}}
{{- $img := .context.Values.image -}}
{{- $image := dict "registry" $img.registry "repository" (printf "%s%s" $img.repositoryPrefix .name) "tag" $img.tag -}}
{{- include "common.images.image" (dict "image" $image "global" .context.Values.global) -}}
{{- end -}}
