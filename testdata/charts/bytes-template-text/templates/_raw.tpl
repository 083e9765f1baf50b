{{- define "raw" -}}cafÃ© ÿş{{ "\xc3" }}©{{- end -}}
