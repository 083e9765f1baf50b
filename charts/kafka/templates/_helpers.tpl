{{/* The KRaft voter list: <id>@<pod>.<headless>:<controller port> for every replica. */}}
{{- define "kafka.quorumVoters" -}}
{{- $fullname := include "common.names.fullname" . -}}
{{- $voters := list -}}
{{- range $i := until (int .Values.replicaCount) -}}
{{- $voters = append $voters (printf "%d@%s-%d.%s-headless:%d" $i $fullname $i $fullname (int $.Values.service.controllerPort)) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end -}}

{{/* Replication factor of internal and new topics: the value given, else min(3, replicas). */}}
{{- define "kafka.replicationFactor" -}}
{{- $replicas := int .Values.replicaCount -}}
{{- $factor := .Values.config.defaultReplicationFactor | default (min 3 $replicas) | int -}}
{{- if gt $factor $replicas -}}
{{- fail (printf "kafka.config.defaultReplicationFactor (%d) cannot exceed kafka.replicaCount (%d)" $factor $replicas) -}}
{{- end -}}
{{- $factor -}}
{{- end -}}
