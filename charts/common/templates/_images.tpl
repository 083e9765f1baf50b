{{/*
Full image reference. A global registry wins over the per-image one.
Usage: {{ include "common.images.image" (dict "image" .Values.image "global" .Values.global) }}
*/}}
{{- define "common.images.image" -}}
{{- $registry := .image.registry | default "" -}}
{{- $repository := .image.repository -}}
{{- $separator := ":" -}}
{{- $termination := .image.tag | default "latest" | toString -}}
{{- if .global -}}
{{- with .global.imageRegistry -}}
{{- $registry = . -}}
{{- end -}}
{{- end -}}
{{- if .image.digest -}}
{{- $separator = "@" -}}
{{- $termination = .image.digest | toString -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s%s" $registry $repository $separator $termination -}}
{{- else -}}
{{- printf "%s%s%s" $repository $separator $termination -}}
{{- end -}}
{{- end -}}

{{/*
imagePullSecrets block merged from global and local lists (deduplicated).
Usage: {{ include "common.images.pullSecrets" (dict "images" (list .Values.image) "global" .Values.global) }}
*/}}
{{- define "common.images.pullSecrets" -}}
{{- $secrets := list -}}
{{- if .global -}}
{{- range .global.imagePullSecrets -}}
{{- $secrets = append $secrets (. | toString) -}}
{{- end -}}
{{- end -}}
{{- range .images -}}
{{- range .pullSecrets -}}
{{- $secrets = append $secrets (. | toString) -}}
{{- end -}}
{{- end -}}
{{- if $secrets -}}
imagePullSecrets:
{{- range $secrets | uniq }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}
