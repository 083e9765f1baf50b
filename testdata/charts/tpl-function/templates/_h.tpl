{{- define "tplf.helper" -}}helper-{{ .Values.user }}{{- end -}}
