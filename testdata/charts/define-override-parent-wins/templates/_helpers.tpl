{{- define "shared.greeting" -}}from-parent{{- end -}}
