{{- define "milvus.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "milvus.secretName" -}}
{{- printf "%s-auth" (include "milvus.fullname" .) -}}
{{- end -}}

{{/* Effective milvus.yaml: userConfig deep-merged over the chart defaults. */}}
{{- define "milvus.config" -}}
{{- $cfg := mergeOverwrite (deepCopy .Values.config) .Values.userConfig -}}
{{- $_ := set $cfg "etcd" (dict "use" (dict "embed" true) "data" (dict "dir" "/var/lib/milvus/etcd")) -}}
{{- $_ := set $cfg "common" (merge (dict "storageType" "local") $cfg.common) -}}
{{- if not .Values.auth.enabled -}}
{{- $_ := set $cfg.common "security" (dict "authorizationEnabled" false) -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}
