{{- define "shared.greeting" -}}from-sub{{- end -}}
{{- define "sub.only" -}}sub-only{{- end -}}
