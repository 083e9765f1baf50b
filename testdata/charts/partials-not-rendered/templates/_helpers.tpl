{{- define "p.x" -}}x{{- end -}}
TEXT OUTSIDE DEFINE IN PARTIAL
