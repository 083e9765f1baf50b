{{- define "ind.labels" -}}
a: "1"
b: "2"
{{- end -}}
{{- define "ind.inline" -}}inline-{{ .Chart.Name }}{{- end -}}
{{- define "ind.block" }}
first
  second
{{ end -}}
