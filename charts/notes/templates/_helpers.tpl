{{/* vim: set filetype=mustache: */}}

{{- define "notes.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "notes.namespace" -}}
{{- include "common.names.namespace" . -}}
{{- end -}}

{{/*
Labels of one component. Usage: include "notes.labels" (dict "component" "server" "context" $)
*/}}
{{- define "notes.labels" -}}
{{ include "common.labels.standard" (dict "customLabels" .context.Values.commonLabels "component" .component "context" .context) }}
notes.example.com/mode: {{ .context.Values.mode | quote }}
{{- end -}}

{{- define "notes.image" -}}
{{- $image := deepCopy .Values.image -}}
{{- $_ := set $image "tag" (.Values.image.tag | default .Chart.AppVersion) -}}
{{- include "common.images.image" (dict "image" $image "global" .Values.global) -}}
{{- end -}}

{{/* Image of the database client (psql, pg_dump): the database's own image. */}}
{{- define "notes.pgClientImage" -}}
{{- include "common.images.image" (dict "image" .Values.postgresql.image "global" .Values.global) -}}
{{- end -}}

{{/*
Database coordinates, from the postgresql subchart (its naming rules) or externalDatabase.
*/}}
{{- define "notes.db.host" -}}
{{- if .Values.postgresql.enabled -}}
{{- if .Values.postgresql.fullnameOverride -}}
{{- .Values.postgresql.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "postgresql" .Values.postgresql.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- required "externalDatabase.host is required when postgresql.enabled is false" .Values.externalDatabase.host -}}
{{- end -}}
{{- end -}}

{{- define "notes.db.port" -}}
{{- if .Values.postgresql.enabled -}}5432{{- else -}}{{ .Values.externalDatabase.port }}{{- end -}}
{{- end -}}

{{- define "notes.db.name" -}}
{{- if .Values.postgresql.enabled -}}{{ .Values.postgresql.auth.database }}{{- else -}}{{ .Values.externalDatabase.database }}{{- end -}}
{{- end -}}

{{- define "notes.db.user" -}}
{{- if .Values.postgresql.enabled -}}{{ .Values.postgresql.auth.username }}{{- else -}}{{ .Values.externalDatabase.username }}{{- end -}}
{{- end -}}

{{- define "notes.db.secret" -}}
{{- if .Values.postgresql.enabled -}}
{{- default (include "notes.db.host" .) .Values.postgresql.auth.existingSecret -}}
{{- else -}}
{{- required "externalDatabase.existingSecret is required when postgresql.enabled is false" .Values.externalDatabase.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "notes.db.secretKey" -}}
{{- if .Values.postgresql.enabled -}}password{{- else -}}{{ .Values.externalDatabase.existingSecretPasswordKey }}{{- end -}}
{{- end -}}

{{/*
Environment entries that give a container the database password and the libpq variables.
*/}}
{{- define "notes.db.env" -}}
- name: PGHOST
  value: {{ include "notes.db.host" . | quote }}
- name: PGPORT
  value: {{ include "notes.db.port" . | quote }}
- name: PGDATABASE
  value: {{ include "notes.db.name" . | quote }}
- name: PGUSER
  value: {{ include "notes.db.user" . | quote }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "notes.db.secret" . }}
      key: {{ include "notes.db.secretKey" . }}
{{- end -}}

{{- define "notes.secretName" -}}
{{- default (printf "%s-secrets" (include "notes.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{- define "notes.objectStorageSecretName" -}}
{{- default (include "notes.secretName" .) .Values.objectStorage.existingSecret -}}
{{- end -}}

{{- define "notes.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "notes.fullname" .)) .Values.ingress.tls.secretName -}}
{{- end -}}

{{- define "notes.instanceUrl" -}}
{{- if .Values.instanceUrl -}}
{{- .Values.instanceUrl -}}
{{- else -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- end -}}
{{- end -}}
