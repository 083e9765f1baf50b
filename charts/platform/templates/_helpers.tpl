{{/* vim: set filetype=mustache: */}}

{{- define "platform.name" -}}
{{- include "common.names.name" . -}}
{{- end -}}

{{- define "platform.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "platform.namespace" -}}
{{- include "common.names.namespace" . -}}
{{- end -}}

{{/*
Labels for a service. Usage: include "platform.labels" (dict "component" "story-gen" "context" $)
*/}}
{{- define "platform.labels" -}}
{{ include "common.labels.standard" (dict "customLabels" .context.Values.commonLabels "component" .component "context" .context) }}
platform.example.com/environment: {{ .context.Values.env | quote }}
{{- end -}}

{{/*
Selector labels of a service. "track" separates stable and canary pods.
*/}}
{{- define "platform.selectorLabels" -}}
{{ include "common.labels.matchLabels" (dict "component" .component "context" .context) }}
platform.example.com/track: {{ .track | default "stable" }}
{{- end -}}

{{/*
Effective configuration of one service: serviceDefaults deep-merged with
services.<name>. Returned as YAML; callers use fromYaml.
*/}}
{{- define "platform.serviceConfig" -}}
{{- $svc := index .context.Values.services .name | default dict -}}
{{- $cfg := mergeOverwrite (deepCopy .context.Values.serviceDefaults) (deepCopy $svc) -}}
{{- $_ := set $cfg "name" .name -}}
{{- $_ := set $cfg "fullname" (printf "%s-%s" (include "platform.fullname" .context) .name | trunc 63 | trimSuffix "-") -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
Image of a service. Usage: include "platform.image" (dict "binary" "story-gen-svc" "tag" "" "context" $)
*/}}
{{- define "platform.image" -}}
{{- $img := .context.Values.image -}}
{{- $tag := .tag | default $img.tag | default .context.Chart.AppVersion -}}
{{- $image := dict "registry" $img.registry "repository" (printf "%s/%s" $img.repository .binary) "tag" $tag -}}
{{- include "common.images.image" (dict "image" $image "global" .context.Values.global) -}}
{{- end -}}

{{/*
Hosts of the stateful dependencies, following the subcharts' own naming rules
(alias, nameOverride, fullnameOverride). Usage: include "platform.dependencyHost" (dict "chart" "postgresql" "context" $)
*/}}
{{- define "platform.dependencyHost" -}}
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

{{- define "platform.tlsSecretName" -}}
{{- .Values.ingress.tls.secretName | default (printf "%s-tls" (include "platform.fullname" .)) -}}
{{- end -}}

{{/* Ingress apiVersion depending on the cluster version. */}}
{{- define "platform.ingress.apiVersion" -}}
{{- if semverCompare ">=1.19-0" .Capabilities.KubeVersion.GitVersion -}}
networking.k8s.io/v1
{{- else -}}
networking.k8s.io/v1beta1
{{- end -}}
{{- end -}}

{{- define "platform.pdb.apiVersion" -}}
{{- if and (.Capabilities.APIVersions.Has "policy/v1") (semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version) -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}

{{/*
Ingress backend for a service, shaped for the chosen Ingress apiVersion.
*/}}
{{- define "platform.ingress.backend" -}}
{{- if eq (include "platform.ingress.apiVersion" .context) "networking.k8s.io/v1" -}}
service:
  name: {{ .serviceName }}
  port:
    name: http
{{- else -}}
serviceName: {{ .serviceName }}
servicePort: http
{{- end -}}
{{- end -}}

{{/* Names of the enabled services, sorted. */}}
{{- define "platform.enabledServices" -}}
{{- $names := list -}}
{{- range $name, $_ := .Values.services -}}
{{- $cfg := include "platform.serviceConfig" (dict "name" $name "context" $) | fromYaml -}}
{{- if $cfg.enabled -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- $names | join " " -}}
{{- end -}}

{{/* Env var name for a service address: story-gen -> STORY_GEN_ADDR */}}
{{- define "platform.addrVar" -}}
{{- printf "%s_ADDR" (. | upper | replace "-" "_") -}}
{{- end -}}

{{/*
Mirror of Helm's dependency enablement: an explicit <chart>.enabled (the
condition) wins; otherwise the chart's tag decides; otherwise enabled.
Returns "true" or "". Usage: include "platform.dependencyEnabled" (dict "chart" "milvus" "tag" "rag" "context" $)
*/}}
{{- define "platform.dependencyEnabled" -}}
{{- $values := index .context.Values .chart | default dict -}}
{{- $tags := .context.Values.tags | default dict -}}
{{- if hasKey $values "enabled" -}}
{{- ternary "true" "" (eq (toString $values.enabled) "true") -}}
{{- else if and .tag (hasKey $tags .tag) -}}
{{- ternary "true" "" (eq (toString (index $tags .tag)) "true") -}}
{{- else -}}
true
{{- end -}}
{{- end -}}
