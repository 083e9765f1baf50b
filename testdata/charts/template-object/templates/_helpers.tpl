{{- define "tmpl.where" -}}{{ .Template.Name }}|{{ .Template.BasePath }}{{- end -}}
