{{- define "p" -}}
{{ .Values.x 
{{- end -}}
