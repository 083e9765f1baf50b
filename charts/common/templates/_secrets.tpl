{{/*
Return a password that stays stable across upgrades:
  1. the explicit value when given,
  2. the value already stored in the live Secret (lookup),
  3. otherwise a freshly generated random string.
Result is base64-encoded, ready for a Secret's data field.
Usage: {{ include "common.secrets.passwords.manage" (dict "secret" "name" "key" "password" "providedValue" .Values.auth.password "length" 16 "context" $) }}
*/}}
{{- define "common.secrets.passwords.manage" -}}
{{- $length := .length | default 16 | int -}}
{{- $ns := include "common.names.namespace" .context -}}
{{- $existing := lookup "v1" "Secret" $ns .secret -}}
{{- if .providedValue -}}
{{- .providedValue | toString | b64enc | quote -}}
{{- else if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- index $existing.data .key | quote -}}
{{- else -}}
{{- randAlphaNum $length | b64enc | quote -}}
{{- end -}}
{{- end -}}

{{/*
Checksum of another template of the calling chart, for pod annotations.
Usage: {{ include "common.checksum" (dict "path" "/configmap.yaml" "context" $) }}
*/}}
{{- define "common.checksum" -}}
{{- include (print .context.Template.BasePath .path) .context | sha256sum -}}
{{- end -}}
