{{/*
The full name a subchart gives its resources (common.names.fullname seen from the parent): the
subchart's own nameOverride/fullnameOverride, set under its key here, are honoured.
Usage: {{ include "voice-infra.subchartFullname" (dict "chart" "kafka" "context" $) }}
*/}}
{{- define "voice-infra.subchartFullname" -}}
{{- $values := index .context.Values .chart | default dict -}}
{{- include "common.names.fullname" (dict "Values" $values "Chart" (dict "Name" .chart) "Release" .context.Release) -}}
{{- end -}}

{{/*
Refuse combinations that would deploy a service pointing at one that is switched off.
*/}}
{{- define "voice-infra.validate" -}}
{{- $v := .Values -}}
{{- if and $v.jaeger.enabled (eq (dig "storage" "type" "memory" $v.jaeger) "elasticsearch") (not $v.elasticsearch.enabled) (contains "-elasticsearch:" (dig "storage" "elasticsearch" "serverUrls" "" $v.jaeger)) -}}
{{- fail "jaeger.storage.type=elasticsearch stores traces in the chart's Elasticsearch, but elasticsearch.enabled is false: enable it, set jaeger.storage.type=memory, or point jaeger.storage.elasticsearch.serverUrls at an external cluster" -}}
{{- end -}}
{{- end -}}
