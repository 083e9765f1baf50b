{{- define "lib.name" -}}{{ .Release.Name }}-{{ .Values.name }}{{- end -}}
{{- define "lib.labels" -}}
chart: {{ .Chart.Name }}
lib-value: {{ .Values.libDefault | default "parent-scope" }}
{{- end -}}
{{- define "lib.greeting" -}}hello-from-lib{{- end -}}
