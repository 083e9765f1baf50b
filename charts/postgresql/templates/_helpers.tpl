{{- define "postgresql.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "postgresql.secretName" -}}
{{- default (include "postgresql.fullname" .) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "postgresql.headless" -}}
{{- printf "%s-hl" (include "postgresql.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "postgresql.image" -}}
{{- include "common.images.image" (dict "image" .Values.image "global" .Values.global) -}}
{{- end -}}
